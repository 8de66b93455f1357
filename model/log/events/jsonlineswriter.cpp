#include "jsonlines.h"
#include "jsonlinesdetail.h"

#include <QCoreApplication>

#include <QFileDevice>

#include <cstdio>

namespace sockpit {

using namespace jsonlines_detail;

JsonLinesWriter::JsonLinesWriter(QObject *parent)
    : QObject(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &JsonLinesWriter::flush);
}

JsonLinesWriter::~JsonLinesWriter()
{
    close();
}

bool JsonLinesWriter::open(const QString &path)
{
    close();
    m_error.clear();
    bool opened = false;
    if (path == QLatin1StringView("-"))
        opened = m_file.open(stdout, QIODevice::WriteOnly);
    else {
        m_file.setFileName(path);
        opened = m_file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    }
    if (!opened) {
        m_error
            = QCoreApplication::translate("sockpit::JsonLines",
                                          "Cannot write the event log %1: %2.")
                  .arg(path == QLatin1StringView("-")
                           ? QCoreApplication::translate("sockpit::JsonLines", "to standard output")
                           : path,
                       m_file.errorString());
        return false;
    }
    m_device = &m_file;
    return true;
}

void JsonLinesWriter::setDevice(QIODevice *device)
{
    close();
    m_error.clear();
    m_device = device;
}

bool JsonLinesWriter::isOpen() const
{
    return m_device && m_device->isOpen() && m_device->isWritable();
}

void JsonLinesWriter::close()
{
    flush();
    m_buffer.clear();
    if (m_file.isOpen()) {
        m_file.flush();
        m_file.close();
    }
    m_device = nullptr;
}

QString JsonLinesWriter::errorString() const
{
    return m_error;
}

void JsonLinesWriter::record(Event event)
{
    if (!isOpen())
        return;
    m_sequencer.stamp(event);
    write(event);
}

void JsonLinesWriter::write(const sockpit::Event &event)
{
    if (!isOpen())
        return;
    appendJsonLine(m_buffer, event);
    ++m_written;
    if (m_buffer.size() >= BufferLimitBytes)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void JsonLinesWriter::flush()
{
    m_flushTimer.stop();
    if (m_buffer.isEmpty() || !isOpen())
        return;
    // Only whole lines are ever handed to the device, so what reaches the disk before a
    // crash ends at a line boundary (unless the kernel is stopped inside one write).
    const qint64 written = m_device->write(m_buffer);
    if (written != m_buffer.size() && m_error.isEmpty()) {
        m_error
            = QCoreApplication::translate("sockpit::JsonLines", "Cannot write the event log: %1.")
                  .arg(m_device->errorString());
    }
    m_buffer.resize(0); // keeps the capacity for the next lines
    if (auto *file = qobject_cast<QFileDevice *>(m_device))
        file->flush();
}

} // namespace sockpit
