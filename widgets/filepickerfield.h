#pragma once

#include <QWidget>

class QLineEdit;

namespace sockpit {

// A path field with a "Browse…" button that opens a file dialog.
class FilePickerField : public QWidget
{
    Q_OBJECT
public:
    FilePickerField(const QString &dialogTitle, const QString &nameFilter,
                    QWidget *parent = nullptr);

    QString path() const;
    void setPath(const QString &path);
    QLineEdit *lineEdit() const { return m_edit; }

Q_SIGNALS:
    void pathChanged(const QString &path);

private:
    QLineEdit *m_edit;
    QString m_dialogTitle;
    QString m_nameFilter;
};

} // namespace sockpit
