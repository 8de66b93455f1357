#pragma once

#include <QWidget>

class QLineEdit;

namespace sockpit {

// A path field with a "Browse…" button that opens a file dialog. The path counts as
// chosen when editing finishes (Return or leaving the field), when it is picked in the
// dialog or set from code: only then is pathChanged emitted, so that whatever looks at the
// file does it once, not on every key press.
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
    void commit();

    QLineEdit *m_edit;
    QString m_dialogTitle;
    QString m_nameFilter;
    QString m_committed;
};

} // namespace sockpit
