#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

// Every catalogue must be complete: lupdate, run over today's sources into a copy of the
// catalogue, must find no string without a finished translation (new or unfinished) and
// no entry whose source string has gone (vanished or obsolete).
class TestTranslations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void catalogueIsComplete_data();
    void catalogueIsComplete();
    void everyCatalogueHasAQmTarget();
};

namespace {

struct Entry
{
    QString context;
    QString source;
    QString type; // "", "unfinished", "vanished" or "obsolete"
};

QList<Entry> readCatalogue(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QList<Entry> entries;
    QXmlStreamReader xml(&file);
    QString context;
    Entry entry;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1StringView("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1StringView("message")) {
            entry = Entry{context, {}, {}};
        } else if (name == QLatin1StringView("source")) {
            entry.source = xml.readElementText();
        } else if (name == QLatin1StringView("translation")) {
            entry.type = xml.attributes().value(QLatin1StringView("type")).toString();
            // An empty translation without a type is as untranslated as "unfinished".
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (entry.type.isEmpty() && text.trimmed().isEmpty())
                entry.type = QStringLiteral("empty");
            entries.append(entry);
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return entries;
}

} // namespace

void TestTranslations::catalogueIsComplete_data()
{
    QTest::addColumn<QString>("catalogue");
    QTest::addColumn<bool>("pluralOnly");
    const QStringList files = QStringLiteral(SOCKPIT_TS_FILES).split(u'|', Qt::SkipEmptyParts);
    QVERIFY2(files.size() >= 3, "German, French and Simplified Chinese at least");
    for (const QString &file : files) {
        const QString row = QStringLiteral("%1 translates every string of the sources")
                                .arg(QFileInfo(file).fileName());
        QTest::newRow(qUtf8Printable(row)) << file << false;
    }
    // English, the source language, needs only the plural forms ("1 event", "2 events").
    QTest::newRow("sockpit_en.ts has the English plural forms of every %n string")
        << QStringLiteral(SOCKPIT_EN_TS_FILE) << true;
}

void TestTranslations::catalogueIsComplete()
{
    QFETCH(QString, catalogue);
    QFETCH(bool, pluralOnly);
    QVERIFY2(QFile::exists(catalogue), qUtf8Printable(catalogue));

    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString copy = temp.filePath(QFileInfo(catalogue).fileName());
    QVERIFY(QFile::copy(catalogue, copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);

    QStringList arguments = QStringLiteral(SOCKPIT_LUPDATE_OPTIONS).split(u'|', Qt::SkipEmptyParts);
    if (pluralOnly)
        arguments << QStringLiteral("-pluralonly");
    for (const char *dir : {"model", "widgets", "app"})
        arguments << QStringLiteral("-I")
                  << QDir(QStringLiteral(SOCKPIT_SOURCE_DIR)).filePath(QLatin1StringView(dir));
    arguments << QLatin1Char('@') + QStringLiteral(SOCKPIT_TRANSLATABLE_LIST)
              << QStringLiteral("-ts") << copy;
    QProcess lupdate;
    lupdate.setProcessChannelMode(QProcess::MergedChannels);
    lupdate.start(QStringLiteral(SOCKPIT_LUPDATE), arguments);
    QVERIFY2(lupdate.waitForFinished(120000), "lupdate did not finish within 2 minutes");
    const QByteArray output = lupdate.readAll();
    QVERIFY2(lupdate.exitStatus() == QProcess::NormalExit && lupdate.exitCode() == 0,
             output.constData());

    QString error;
    const QList<Entry> entries = readCatalogue(copy, &error);
    QVERIFY2(error.isEmpty(), qUtf8Printable(error));

    QStringList problems;
    for (const Entry &entry : entries) {
        if (entry.type.isEmpty())
            continue;
        const QString what = entry.type == QLatin1StringView("vanished")
                || entry.type == QLatin1StringView("obsolete")
            ? QStringLiteral("no longer in the sources (%1)").arg(entry.type)
            : QStringLiteral("not translated (%1)").arg(entry.type);
        problems << QStringLiteral("  %1 | %2: %3").arg(entry.context, entry.source.left(60), what);
    }
    if (!problems.isEmpty()) {
        const QString message
            = QStringLiteral("%1 entries of %2 need work; run `cmake --build <dir> --target "
                             "update_translations` and translate them:\n%3")
                  .arg(problems.size())
                  .arg(QFileInfo(catalogue).fileName(), problems.mid(0, 40).join(u'\n'));
        QFAIL(qUtf8Printable(message));
    }
}

void TestTranslations::everyCatalogueHasAQmTarget()
{
    // The catalogues are named sockpit_<language>.ts, which is how lrelease's output is
    // found again at run time (":/i18n/sockpit_<language>.qm").
    const QStringList files = QStringLiteral(SOCKPIT_TS_FILES).split(u'|', Qt::SkipEmptyParts)
        << QStringLiteral(SOCKPIT_EN_TS_FILE);
    for (const QString &file : files) {
        const QString name = QFileInfo(file).completeBaseName();
        QVERIFY2(name.startsWith(QLatin1StringView("sockpit_")), qUtf8Printable(name));
        QFile ts(file);
        QVERIFY(ts.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&ts);
        while (!xml.atEnd() && !xml.isStartElement())
            xml.readNext();
        QCOMPARE(xml.name(), QLatin1StringView("TS"));
        QCOMPARE(xml.attributes().value(QLatin1StringView("language")).toString(),
                 name.mid(int(qstrlen("sockpit_"))));
    }
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
