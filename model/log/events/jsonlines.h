#pragma once

#include "event.h"
#include "eventsink.h"
#include "protocol/timing.h"

#include <QByteArray>
#include <QFile>
#include <QObject>
#include <QTimer>

#include <optional>

class QIODevice;

namespace sockpit {

// The documented JSON Lines format (docs/event-log.md): one object per line.
QByteArray eventToJsonLine(const Event &event); // without the trailing newline
void appendJsonLine(QByteArray &out, const Event &event); // with it

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

// Writes each event as one line. Lines are buffered and written out together, off the
// hot path: at the latest `FlushIntervalMs` after the first unwritten line, as soon as the
// buffer passes `BufferLimitBytes`, on flush() and on close(). A process killed with
// SIGKILL loses at most the lines of the last interval (docs/event-log.md).
//
// It is an EventSink of its own (a headless command's only sink: it numbers and stamps
// what it records, seq 1, 2, …), and it can also follow a store: connect
// EventStore::recorded to write(), which keeps the store's numbering. It never drops an
// event.
class JsonLinesWriter : public QObject, public EventSink
{
    Q_OBJECT
public:
    static constexpr int FlushIntervalMs = timing::LogFlushMs;
    static constexpr qsizetype BufferLimitBytes = 64 * 1024;

    explicit JsonLinesWriter(QObject *parent = nullptr);
    ~JsonLinesWriter() override;

    // "-" writes to standard output. Returns false with errorString() set on failure.
    bool open(const QString &path);
    // Writes to a device the caller owns (tests, exports).
    void setDevice(QIODevice *device);
    bool isOpen() const;
    // Writes out what is buffered, then closes.
    void close();
    QString errorString() const;
    quint64 writtenCount() const { return m_written; } // lines accepted, buffered or written
    qsizetype bufferedBytes() const { return m_buffer.size(); }

    // EventSink: stamps seq and time, then writes.
    void record(Event event) override;

public Q_SLOTS:
    // Writes an event that is already stamped (EventStore::recorded).
    void write(const sockpit::Event &event);
    // Writes out what is buffered and flushes the file, now.
    void flush();

private:
    QFile m_file;
    QIODevice *m_device = nullptr;
    QString m_error;
    quint64 m_written = 0;
    QByteArray m_buffer;
    QTimer m_flushTimer;
    EventSequencer m_sequencer;
};

} // namespace sockpit
