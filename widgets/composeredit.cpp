#include "composeredit.h"

#include <QMimeData>
#include <QTextCursor>

namespace sockpit {

ComposerEdit::ComposerEdit(QWidget *parent)
    : QPlainTextEdit(parent)
{ }

bool ComposerEdit::hasLongLine(QStringView text)
{
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == u'\n' || c == u'\r' || c == QChar::ParagraphSeparator || c == QChar::LineSeparator)
            lineStart = i + 1;
        else if (i - lineStart >= kMaxLineChars)
            return true;
    }
    return false;
}

void ComposerEdit::insertFromMimeData(const QMimeData *source)
{
    if (isReadOnly() || !source || !source->hasText()) {
        QPlainTextEdit::insertFromMimeData(source);
        return;
    }
    const QString inserted = source->text();
    const QTextCursor cursor = textCursor();
    const QString current = toPlainText();
    // Document positions and toPlainText() indexes agree: a paragraph break is one '\n'.
    const qsizetype start
        = qBound(qsizetype(0), qsizetype(cursor.selectionStart()), current.size());
    const qsizetype end = qBound(start, qsizetype(cursor.selectionEnd()), current.size());
    const QString result = current.left(start) + inserted + current.mid(end);
    if (!hasLongLine(result)) {
        QPlainTextEdit::insertFromMimeData(source);
        return;
    }
    Q_EMIT longTextInserted(result);
}

} // namespace sockpit
