#pragma once

// Every time bound of Sockpit's protocol handling, in one place, each with what it bounds.
// The code uses these names; docs/architecture.md ("Timing") lists them. All in
// milliseconds. The log's own intervals (JsonLinesWriter::FlushIntervalMs, the event
// channel's and the store's batches) are here too, so that what `kill -9` can lose and how
// stale the window can be are read off one table.

namespace sockpit::timing {

// --- Opening handshake ---
// The server: from the TCP accept to Qt's 101 (TLS and the upgrade request included);
// later, the connection is dropped with an error event. `serve --handshake-timeout`.
inline constexpr int ServerHandshakeMs = 10000;
// The client: from open() to an open connection (DNS, TCP, TLS, the 101).
inline constexpr int ClientConnectMs = 15000;

// --- Closing handshake (RFC 6455 section 7.1.1: the server may close TCP itself) ---
// The server waits this long for the peer's Close after sending its own.
inline constexpr int ServerCloseReplyMs = 3000;
// The client waits this long for the server's Close, then for TCP to end, after sending its
// own (longer than the server's: a client should let the server close TCP first).
inline constexpr int ClientCloseReplyMs = 5000;
// A closing peer may take this long to read the last bytes a tap forwards to it.
inline constexpr int ServerTapLingerMs = 3000;
inline constexpr int ClientTapLingerMs = 2000;
// How long Qt may take to answer the server tap's fence (a ping that marks where a
// violation was seen) before the violation is acted on anyway.
inline constexpr int FenceMs = 1000;

// --- Accepting when descriptors run out ---
inline constexpr int RetryAcceptMs = 100;
// A peer answered 503 may take this long to read it before it is cut off.
inline constexpr int ShedLingerMs = 2000;

// --- Headless commands ---
// `serve` on SIGINT/SIGTERM: how long peers have to answer the 1001 Close.
inline constexpr int ServeShutdownGraceMs = 3000;
// `connect`, once it has sent everything and is to close: it closes after the server has
// been quiet this long (replies in flight would be lost otherwise), and at the latest
// after ConnectDrainMs.
inline constexpr int ConnectQuietMs = 300;
inline constexpr int ConnectDrainMs = 3000;

// --- The log ---
// JSON Lines are written out at most this long after the first unwritten one.
inline constexpr int LogFlushMs = 100;
// Events cross from the network thread to the window or the log writer this often.
inline constexpr int EventHandOverMs = 10;
// The server's connection counters reach the window this often.
inline constexpr int CountersMs = 100;

} // namespace sockpit::timing
