#include "guimain.h"

#include "mainwindow.h"

#include <QApplication>

namespace sockpit {

int runGui(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Sockpit"));
    QApplication::setOrganizationName(QStringLiteral("Sockpit"));
    QApplication::setApplicationVersion(QStringLiteral(SOCKPIT_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("sockpit"));

    MainWindow window;
    window.show();
    return QApplication::exec();
}

} // namespace sockpit
