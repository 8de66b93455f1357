#pragma once

#include <QPlainTextEdit>

namespace sockpit {

// The composer's text field. QPlainTextEdit lays a paragraph out whole: one line of a
// megabyte (minified JSON, a base64 blob) takes it over a minute, where a megabyte of short
// lines is instant. So a paste or drop that would leave a line longer than kMaxLineChars is
// not inserted; the field hands over the whole text it would then hold instead, for the
// composer to keep and send without showing it.
class ComposerEdit : public QPlainTextEdit
{
    Q_OBJECT
public:
    static constexpr qsizetype kMaxLineChars = 10000;

    explicit ComposerEdit(QWidget *parent = nullptr);

    static bool hasLongLine(QStringView text);

Q_SIGNALS:
    // `text` is the field's text with the insertion made: what would be sent.
    void longTextInserted(const QString &text);

protected:
    void insertFromMimeData(const QMimeData *source) override;
};

} // namespace sockpit
