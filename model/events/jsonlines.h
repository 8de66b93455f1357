#pragma once

#include "event.h"

#include <QByteArray>
#include <QFile>
#include <QObject>

#include <optional>

class QIODevice;

namespace sockpit {

// The documented JSON Lines format (ARCHITECTURE.md, "Event log"): one object per line.
QByteArray eventToJsonLine(const Event &event); // without the trailing newline

struct JsonLineError
{
    qint64 line = 0; // 1-based
    QString message; // a sentence that names what is wrong
};

// Parses one line; on failure returns nullopt and fills *error (line left 0).
std::optional<Event> eventFromJsonLine(QByteArrayView line, QString *error = nullptr);

struct JsonLinesReadResult
{
    QList<Event> events; // every line that parsed, in order
    QList<JsonLineError> errors; // every line that did not, with its number
};

// Reads a whole log; a bad line is reported and skipped, nothing else is lost.
JsonLinesReadResult readJsonLines(QIODevice *device);
JsonLinesReadResult readJsonLinesFile(const QString &path, QString *openError = nullptr);

// Writes each event as one line and flushes it at once, so that a crash loses nothing
// already recorded. Connect it to EventStore::recorded; it never drops an event.
class JsonLinesWriter : public QObject
{
    Q_OBJECT
public:
    explicit JsonLinesWriter(QObject *parent = nullptr);
    ~JsonLinesWriter() override;

    // "-" writes to standard output. Returns false with errorString() set on failure.
    bool open(const QString &path);
    // Writes to a device the caller owns (tests, exports).
    void setDevice(QIODevice *device);
    bool isOpen() const;
    void close();
    QString errorString() const;
    quint64 writtenCount() const { return m_written; }

public Q_SLOTS:
    void write(const sockpit::Event &event);

private:
    QFile m_file;
    QIODevice *m_device = nullptr;
    QString m_error;
    quint64 m_written = 0;
};

} // namespace sockpit
