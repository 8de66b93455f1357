// JSON text as a person wrote it: the checker agrees with RFC 8259, and re-indenting
// changes whitespace outside strings only (key order, number spelling and escapes stay).

#include "events/jsontext.h"

#include <QJsonDocument>
#include <QTest>

using namespace sockpit;

class tst_JsonText : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void checksJson_data();
    void checksJson();
    void reindents_data();
    void reindents();
    void reindentingChangesOnlyWhitespaceOutsideStrings();
};

void tst_JsonText::checksJson_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("errorOffset"); // -1 when valid

    QTest::newRow("an object") << QStringLiteral(" {\"a\": [1, -2.5e+3, true, null]} ") << true
                               << -1;
    QTest::newRow("empty containers") << QStringLiteral("{\"a\":{},\"b\":[]}") << true << -1;
    QTest::newRow("escapes") << QStringLiteral("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"]") << true
                             << -1;
    QTest::newRow("a scalar on its own") << QStringLiteral("42") << true << -1;
    QTest::newRow("a trailing comma") << QStringLiteral("[1,]") << false << 3;
    QTest::newRow("an unfinished object") << QStringLiteral("{\"a\": 1,") << false << 8;
    QTest::newRow("a key that is not a string") << QStringLiteral("{a: 1}") << false << 1;
    QTest::newRow("a leading zero") << QStringLiteral("[01]") << false << 2;
    QTest::newRow("a bad escape") << QStringLiteral("[\"\\x\"]") << false << 3;
    QTest::newRow("a control character in a string") << QStringLiteral("[\"a\nb\"]") << false << 3;
    QTest::newRow("two values") << QStringLiteral("{} {}") << false << 3;
    QTest::newRow("mismatched brackets") << QStringLiteral("[1}") << false << 2;
    QTest::newRow("nothing") << QStringLiteral("  ") << false << 2;
    QTest::newRow("a misspelt literal") << QStringLiteral("[tru]") << false << 1;
}

void tst_JsonText::checksJson()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(int, errorOffset);
    qsizetype offset = -1;
    QCOMPARE(isValidJson(text, &offset), valid);
    if (!valid)
        QCOMPARE(offset, qsizetype(errorOffset));
}

void tst_JsonText::reindents_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("pretty");

    QTest::newRow("keys keep their order, numbers their spelling")
        << QStringLiteral("{\"zeta\":1.50,\"alpha\":1e3,\"mid\":{\"b\":2,\"a\":-0.0}}")
        << QStringLiteral("{\n    \"zeta\": 1.50,\n    \"alpha\": 1e3,\n    \"mid\": {\n        "
                          "\"b\": 2,\n        \"a\": -0.0\n    }\n}");
    QTest::newRow("strings keep their spaces, colons, commas and escapes")
        << QStringLiteral("[\"a, b: {c}\",\"q\\\"\\\\\",\"\\u00e9\"]")
        << QStringLiteral("[\n    \"a, b: {c}\",\n    \"q\\\"\\\\\",\n    \"\\u00e9\"\n]");
    QTest::newRow("empty containers stay on one line")
        << QStringLiteral("{ \"a\" : [ ] , \"b\" : { } }")
        << QStringLiteral("{\n    \"a\": [],\n    \"b\": {}\n}");
    QTest::newRow("already pretty text comes back the same")
        << QStringLiteral(
               "{\n    \"type\": \"chat\",\n    \"n\": [\n        1,\n        2\n    ]\n}")
        << QStringLiteral(
               "{\n    \"type\": \"chat\",\n    \"n\": [\n        1,\n        2\n    ]\n}");
}

void tst_JsonText::reindents()
{
    QFETCH(QString, text);
    QFETCH(QString, pretty);
    QVERIFY(isValidJson(text));
    QCOMPARE(reindentJson(text), pretty);
    QVERIFY(isValidJson(pretty));
}

void tst_JsonText::reindentingChangesOnlyWhitespaceOutsideStrings()
{
    const QString text = QStringLiteral(
        "{\"b\":[1,2.000,{\"x y\":\"  spaced  \"}],\"a\":null,\"c\":\"tab\\there\"}");
    const QString pretty = reindentJson(text);
    // The same document...
    QCOMPARE(QJsonDocument::fromJson(pretty.toUtf8()), QJsonDocument::fromJson(text.toUtf8()));
    // ...and, without the whitespace added outside strings, the same characters.
    QString squeezed;
    bool inString = false;
    for (qsizetype i = 0; i < pretty.size(); ++i) {
        const QChar c = pretty.at(i);
        if (inString && c == u'\\') {
            squeezed += c;
            squeezed += pretty.at(++i);
            continue;
        }
        if (c == u'"')
            inString = !inString;
        if (inString || !c.isSpace())
            squeezed += c;
    }
    QCOMPARE(squeezed, text);
}

QTEST_GUILESS_MAIN(tst_JsonText)
#include "tst_jsontext.moc"
