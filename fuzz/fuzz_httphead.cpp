// The HTTP head parsers on arbitrary bytes: the server's request scanner, parser and
// upgrade ladder (RFC 7230 section 3, RFC 6455 section 4.2.1), and the client's response
// parser (section 4.1). Besides not crashing:
// - the scanner decides on a prefix as it does on the whole: a head complete at L bytes
//   is complete at L in any longer input, and an incomplete input stays incomplete when
//   cut shorter;
// - a complete head ends with the empty line and stays within the limits;
// - every answer the server builds (101 or a rejection) parses back with the client's
//   parser to the same status and header fields.
#include "fuzzcheck.h"
#include "protocol/handshakerequest.h"
#include "protocol/httphead.h"

#include <cstddef>
#include <cstdint>

using namespace sockpit;

namespace {

void checkAnswerParsesBack(const HttpResponseHead &response)
{
    const QByteArray bytes = protocol::serializeResponse(response);
    const qsizetype end = bytes.indexOf("\r\n\r\n");
    FUZZ_CHECK(end > 0);
    const std::optional<HttpResponseHead> parsed = http::parseResponseHead(bytes.first(end));
    FUZZ_CHECK(parsed.has_value());
    FUZZ_CHECK(parsed->status == response.status);
    FUZZ_CHECK(parsed->headers == response.headers);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    // Small limits, so that every limit is reached by inputs of a fuzzer's usual size.
    protocol::HeadLimits limits;
    limits.maxHeadBytes = 2048;
    limits.maxLineBytes = 512;
    limits.maxHeaderFields = 16;

    const protocol::HeadScan scan = protocol::scanRequestHead(input, limits);
    switch (scan.status) {
    case protocol::HeadScan::Complete: {
        FUZZ_CHECK(scan.length >= 4 && scan.length <= input.size());
        FUZZ_CHECK(scan.length <= limits.maxHeadBytes);
        const QByteArrayView head = input.first(scan.length);
        FUZZ_CHECK(head.endsWith("\r\n\r\n"));
        const protocol::HeadScan again = protocol::scanRequestHead(head, limits);
        FUZZ_CHECK(again.status == protocol::HeadScan::Complete && again.length == scan.length);

        protocol::HandshakeVerdict rejection;
        const auto parsed = protocol::parseRequestHead(head, &rejection);
        if (!parsed) {
            FUZZ_CHECK(rejection.status >= 400 && rejection.status < 600);
            checkAnswerParsesBack(protocol::rejectionResponse(rejection, "GET"));
            break;
        }
        const protocol::HandshakeVerdict verdict
            = protocol::validateUpgradeRequest(*parsed, protocol::UpgradePolicy{});
        if (verdict.accepted()) {
            checkAnswerParsesBack(protocol::acceptResponse(*parsed, QString()));
        } else {
            FUZZ_CHECK(verdict.status >= 400 && verdict.status < 600);
            FUZZ_CHECK(!verdict.errorId.isEmpty());
            checkAnswerParsesBack(protocol::rejectionResponse(verdict, parsed->head.method));
        }
        break;
    }
    case protocol::HeadScan::Rejected:
        FUZZ_CHECK(scan.rejection.status == 400 || scan.rejection.status == 431);
        checkAnswerParsesBack(protocol::rejectionResponse(scan.rejection, "GET"));
        break;
    case protocol::HeadScan::Incomplete: {
        // Empty lines before the request line are skipped (RFC 7230 section 3.5).
        QByteArrayView rest = input;
        while (rest.startsWith("\r\n"))
            rest = rest.sliced(2);
        FUZZ_CHECK(!rest.contains("\r\n\r\n"));
        if (!input.isEmpty()) {
            const protocol::HeadScan shorter
                = protocol::scanRequestHead(input.first(input.size() / 2), limits);
            FUZZ_CHECK(shorter.status == protocol::HeadScan::Incomplete);
        }
        break;
    }
    }

    // The client's parsers take any bytes a server may send.
    (void)http::parseResponseHead(input);
    (void)http::parseRequestHead(input);
    return 0;
}
