#include "mainwindow.h"

namespace sockpit {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Sockpit"));
    resize(1200, 800);
}

} // namespace sockpit
