#pragma once

#include <QMainWindow>

namespace sockpit {

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace sockpit
