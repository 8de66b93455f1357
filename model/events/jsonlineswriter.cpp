#include "jsonlines.h"
#include "jsonlinesdetail.h"

#include <QCoreApplication>

#include <QFileDevice>

#include <cstdio>

namespace sockpit {

using namespace jsonlines_detail;

JsonLinesWriter::JsonLinesWriter(QObject *parent)
    : QObject(parent)
{ }

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

void JsonLinesWriter::write(const sockpit::Event &event)
{
    if (!isOpen())
        return;
    QByteArray line = eventToJsonLine(event);
    line += '\n';
    if (m_device->write(line) != line.size()) {
        if (m_error.isEmpty())
            m_error = QCoreApplication::translate("sockpit::JsonLines",
                                                  "Cannot write the event log: %1.")
                          .arg(m_device->errorString());
        return;
    }
    // Flushed per line: a crash loses nothing already written.
    if (auto *file = qobject_cast<QFileDevice *>(m_device))
        file->flush();
    ++m_written;
}

} // namespace sockpit
