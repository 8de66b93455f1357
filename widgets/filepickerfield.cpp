#include "filepickerfield.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

namespace sockpit {

FilePickerField::FilePickerField(const QString &dialogTitle, const QString &nameFilter,
                                 QWidget *parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_dialogTitle(dialogTitle)
    , m_nameFilter(nameFilter)
{
    m_edit->setClearButtonEnabled(true);
    auto *browse = new QToolButton(this);
    browse->setObjectName(QStringLiteral("browseButton"));
    browse->setText(tr("Browse…"));
    browse->setToolTip(dialogTitle);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(browse);
    connect(m_edit, &QLineEdit::editingFinished, this, &FilePickerField::commit);
    // Emptying the field (its clear button) is a choice too, and costs nothing to check.
    connect(m_edit, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.trimmed().isEmpty())
            commit();
    });
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString chosen
            = QFileDialog::getOpenFileName(this, m_dialogTitle, path(), m_nameFilter);
        if (!chosen.isEmpty())
            setPath(chosen);
    });
}

QString FilePickerField::path() const
{
    return m_edit->text().trimmed();
}

void FilePickerField::setPath(const QString &path)
{
    m_edit->setText(path);
    commit();
}

void FilePickerField::commit()
{
    if (path() == m_committed)
        return;
    m_committed = path();
    Q_EMIT pathChanged(m_committed);
}

} // namespace sockpit
