<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CloseCodes</name>
    <message>
        <source>Normal Closure</source>
        <translation>正常关闭</translation>
    </message>
    <message>
        <source>The purpose of the connection has been fulfilled.</source>
        <translation>连接的目的已经达成。</translation>
    </message>
    <message>
        <source>Going Away</source>
        <translation>离开</translation>
    </message>
    <message>
        <source>An endpoint is going away, such as a server shutting down or a browser leaving the page.</source>
        <translation>某个端点正在离开，例如服务器正在关闭或浏览器离开了页面。</translation>
    </message>
    <message>
        <source>Protocol Error</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <source>An endpoint received a frame that breaks the protocol.</source>
        <translation>某个端点收到了违反协议的帧。</translation>
    </message>
    <message>
        <source>Unsupported Data</source>
        <translation>不支持的数据</translation>
    </message>
    <message>
        <source>An endpoint received a type of data it cannot accept (for example binary when it only understands text).</source>
        <translation>某个端点收到了它无法接受的数据类型（例如它只理解文本却收到了二进制数据）。</translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Reserved; its meaning might be defined in the future.</source>
        <translation>保留；其含义可能在将来定义。</translation>
    </message>
    <message>
        <source>No Status Received</source>
        <translation>未收到状态</translation>
    </message>
    <message>
        <source>The Close frame carried no status code. Never sent on the wire.</source>
        <translation>关闭帧没有携带状态码。从不在线路上发送。</translation>
    </message>
    <message>
        <source>Abnormal Closure</source>
        <translation>异常关闭</translation>
    </message>
    <message>
        <source>The connection ended without a Close frame (dropped, reset or timed out). Never sent on the wire.</source>
        <translation>连接在没有关闭帧的情况下结束（断开、重置或超时）。从不在线路上发送。</translation>
    </message>
    <message>
        <source>Invalid Frame Payload Data</source>
        <translation>无效的帧负载数据</translation>
    </message>
    <message>
        <source>A message&apos;s data was not consistent with its type, such as text that is not valid UTF-8.</source>
        <translation>消息的数据与其类型不一致，例如不是有效 UTF-8 的文本。</translation>
    </message>
    <message>
        <source>Policy Violation</source>
        <translation>违反策略</translation>
    </message>
    <message>
        <source>A message violated the endpoint&apos;s policy.</source>
        <translation>某条消息违反了端点的策略。</translation>
    </message>
    <message>
        <source>Message Too Big</source>
        <translation>消息过大</translation>
    </message>
    <message>
        <source>A message was too big for the endpoint to process.</source>
        <translation>某条消息太大，端点无法处理。</translation>
    </message>
    <message>
        <source>Mandatory Extension</source>
        <translation>必需的扩展</translation>
    </message>
    <message>
        <source>The client expected the server to negotiate an extension that it did not.</source>
        <translation>客户端期望服务器协商某个扩展，但服务器没有这样做。</translation>
    </message>
    <message>
        <source>Internal Error</source>
        <translation>内部错误</translation>
    </message>
    <message>
        <source>The server met an unexpected condition that kept it from fulfilling the request.</source>
        <translation>服务器遇到了意外情况，无法完成请求。</translation>
    </message>
    <message>
        <source>Service Restart</source>
        <translation>服务重启</translation>
    </message>
    <message>
        <source>The service is restarting.</source>
        <translation>服务正在重启。</translation>
    </message>
    <message>
        <source>Try Again Later</source>
        <translation>稍后重试</translation>
    </message>
    <message>
        <source>The service is overloaded or temporarily unavailable; try again later.</source>
        <translation>服务过载或暂时不可用；请稍后重试。</translation>
    </message>
    <message>
        <source>Bad Gateway</source>
        <translation>网关错误</translation>
    </message>
    <message>
        <source>A gateway or proxy received an invalid response from the upstream server.</source>
        <translation>网关或代理从上游服务器收到了无效的响应。</translation>
    </message>
    <message>
        <source>TLS Handshake Failure</source>
        <translation>TLS 握手失败</translation>
    </message>
    <message>
        <source>The TLS handshake failed, for example the certificate could not be verified. Never sent on the wire.</source>
        <translation>TLS 握手失败，例如证书无法验证。从不在线路上发送。</translation>
    </message>
</context>
<context>
    <name>EventInspector</name>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>HandshakeView</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Hex: &quot;%1&quot; at position %2 is not a hex digit.</source>
        <translation>十六进制：位置 %2 处的“%1”不是十六进制数字。</translation>
    </message>
    <message>
        <source>Hex: an odd number of digits (%1); each byte needs two.</source>
        <translation>十六进制：数字个数为奇数（%1）；每个字节需要两位。</translation>
    </message>
    <message>
        <source>Base64: the text is not valid base64.</source>
        <translation>Base64：该文本不是有效的 base64。</translation>
    </message>
    <message>
        <source>JSON error at line %1, column %2 (offset %3): %4</source>
        <translation>JSON 错误，第 %1 行第 %2 列（偏移 %3）：%4</translation>
    </message>
    <message>
        <source>unexpected character</source>
        <translation>意外的字符</translation>
    </message>
</context>
<context>
    <name>Tls</name>
    <message>
        <source>No file was chosen.</source>
        <translation>未选择文件。</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>文件 %1 不存在。</translation>
    </message>
    <message>
        <source>%1 is a folder, not a file.</source>
        <translation>%1 是文件夹，不是文件。</translation>
    </message>
    <message>
        <source>%1 is too large (%2 bytes) to be a certificate or key file.</source>
        <translation>%1 太大（%2 字节），不可能是证书或密钥文件。</translation>
    </message>
    <message>
        <source>The file %1 cannot be read: %2.</source>
        <translation>无法读取文件 %1：%2。</translation>
    </message>
    <message>
        <source>%1 holds a private key, not a certificate. Choose the certificate file (&quot;-----BEGIN CERTIFICATE-----&quot;) there.</source>
        <translation>%1 包含的是私钥，而不是证书。请在此处选择证书文件（“-----BEGIN CERTIFICATE-----”）。</translation>
    </message>
    <message>
        <source>%1 has a certificate block that cannot be decoded; the file is damaged.</source>
        <translation>%1 中有一个无法解码的证书块；文件已损坏。</translation>
    </message>
    <message>
        <source>%1 is not a certificate: expected PEM (&quot;-----BEGIN CERTIFICATE-----&quot;), DER or a PKCS#12 bundle.</source>
        <translation>%1 不是证书：应为 PEM（“-----BEGIN CERTIFICATE-----”）、DER 或 PKCS#12 包。</translation>
    </message>
    <message>
        <source>The private key in %1 is of a kind that cannot be used here.</source>
        <translation>%1 中的私钥类型无法在此使用。</translation>
    </message>
    <message>
        <source>The private key in %1 is encrypted; enter its passphrase.</source>
        <translation>%1 中的私钥已加密；请输入其口令。</translation>
    </message>
    <message>
        <source>The passphrase for the private key in %1 is wrong.</source>
        <translation>%1 中私钥的口令错误。</translation>
    </message>
    <message>
        <source>No key file was chosen and %1 holds no private key. Choose the key file too.</source>
        <translation>未选择密钥文件，且 %1 不包含私钥。请同时选择密钥文件。</translation>
    </message>
    <message>
        <source>%1 holds a certificate, not a private key. Choose the key file (&quot;-----BEGIN PRIVATE KEY-----&quot;) there.</source>
        <translation>%1 包含的是证书，而不是私钥。请在此处选择密钥文件（“-----BEGIN PRIVATE KEY-----”）。</translation>
    </message>
    <message>
        <source>%1 is not a private key: expected PEM (&quot;-----BEGIN PRIVATE KEY-----&quot;) or DER.</source>
        <translation>%1 不是私钥：应为 PEM（“-----BEGIN PRIVATE KEY-----”）或 DER。</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 is protected by a password; enter it.</source>
        <translation>PKCS#12 包 %1 受密码保护；请输入密码。</translation>
    </message>
    <message>
        <source>The password for the PKCS#12 bundle %1 is wrong.</source>
        <translation>PKCS#12 包 %1 的密码错误。</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 cannot be opened: it uses an encryption this OpenSSL does not offer. Export it again with AES (openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC).</source>
        <translation>无法打开 PKCS#12 包 %1：它使用了此 OpenSSL 不提供的加密方式。请用 AES 重新导出（openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC）。</translation>
    </message>
    <message>
        <source>The certificate in %1 expired on %2.</source>
        <translation>%1 中的证书已于 %2 过期。</translation>
    </message>
    <message>
        <source>The certificate in %1 is not valid before %2 (check the computer&apos;s clock).</source>
        <translation>%1 中的证书在 %2 之前无效（请检查计算机时钟）。</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 holds no certificate.</source>
        <translation>PKCS#12 包 %1 不包含证书。</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 holds no private key. Choose a key file too.</source>
        <translation>PKCS#12 包 %1 不包含私钥。请同时选择密钥文件。</translation>
    </message>
    <message>
        <source>The private key in %1 does not belong to its certificate.</source>
        <translation>%1 中的私钥与其证书不匹配。</translation>
    </message>
    <message>
        <source>The private key in %1 does not belong to the certificate in %2.</source>
        <translation>%1 中的私钥与 %2 中的证书不匹配。</translation>
    </message>
    <message>
        <source>The certificate could not be made (%1: %2).</source>
        <translation>无法生成证书（%1：%2）。</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>未给出原因</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2.</source>
        <translation>无法写入 %1：%2。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is neither a host name nor an IP address.</source>
        <translation>“%1”既不是主机名也不是 IP 地址。</translation>
    </message>
    <message>
        <source>The private key could not be encrypted for %1.</source>
        <translation>无法为 %1 加密私钥。</translation>
    </message>
    <message>
        <source>A secure server needs a certificate: choose a certificate file (and its key), or a self-signed certificate.</source>
        <translation>安全服务器需要证书：请选择证书文件（及其密钥），或使用自签名证书。</translation>
    </message>
    <message>
        <source>Requiring client certificates needs the file of the CA certificates that sign them.</source>
        <translation>要求客户端证书需要提供签发它们的 CA 证书文件。</translation>
    </message>
    <message>
        <source>A client key was chosen without its certificate: choose the client certificate file too.</source>
        <translation>选择了客户端密钥但没有其证书：请同时选择客户端证书文件。</translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>Usage:
  sockpit [--lang CODE] [WORKSPACE]   open the window (WORKSPACE: a JSON Lines log)
  sockpit serve [options]             run the embedded server without a window
  sockpit connect URL [options]       one client without a window
  sockpit bench URL [options]         load generator
  sockpit --version | --help

Run &apos;sockpit COMMAND --help&apos; for the options of a command.
</source>
        <translation>用法：
  sockpit [--lang CODE] [WORKSPACE]   打开窗口（WORKSPACE：一个 JSON Lines 日志）
  sockpit serve [选项]                无窗口运行内置服务器
  sockpit connect URL [选项]          无窗口运行一个客户端
  sockpit bench URL [选项]            负载生成器
  sockpit --version | --help

运行“sockpit 命令 --help”查看某个命令的选项。
</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>显示此帮助。</translation>
    </message>
    <message>
        <source>Usage: %1</source>
        <translation>用法：%1</translation>
    </message>
    <message>
        <source>unknown command &apos;%1&apos; (and no such file); the commands are serve, connect and bench: see &apos;sockpit --help&apos;.</source>
        <translation>未知命令“%1”（也没有这个文件）；可用的命令有 serve、connect 和 bench：请参阅“sockpit --help”。</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientSession</name>
    <message>
        <source>(generated by Qt, not observed)</source>
        <translation>（由 Qt 生成，未观测到）</translation>
    </message>
    <message>
        <source>The server sent an invalid frame: %1 (close code %2).</source>
        <translation>服务器发送了无效的帧：%1（关闭码 %2）。</translation>
    </message>
    <message>
        <source>An outgoing frame could not be decoded: %1 (close code %2).</source>
        <translation>无法解码一个发出的帧：%1（关闭码 %2）。</translation>
    </message>
    <message>
        <source>Over wss the wire is encrypted: the handshake request shown is the one Qt was asked to send, and the response headers and frame boundaries could not be observed.</source>
        <translation>在 wss 下线路是加密的：显示的握手请求是要求 Qt 发送的请求，无法观测响应头和帧边界。</translation>
    </message>
    <message>
        <source> (certificate: %1)</source>
        <translation>（证书：%1）</translation>
    </message>
    <message>
        <source>Certificate verification is disabled for this connection by the user: the errors above were ignored.</source>
        <translation>用户已为此连接禁用证书验证：上述错误已被忽略。</translation>
    </message>
    <message>
        <source>The server rejected the WebSocket handshake with HTTP %1 %2: %3.</source>
        <translation>服务器以 HTTP %1 %2 拒绝了 WebSocket 握手：%3。</translation>
    </message>
    <message>
        <source>The host name &quot;%1&quot; could not be resolved.</source>
        <translation>无法解析主机名“%1”。</translation>
    </message>
    <message>
        <source>The server rejected the WebSocket handshake: %1</source>
        <translation>服务器拒绝了 WebSocket 握手：%1</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response was not accepted: %1</source>
        <translation>服务器的握手响应未被接受：%1</translation>
    </message>
    <message>
        <source>Connection refused by %1: nothing is listening there.</source>
        <translation>%1 拒绝连接：那里没有任何程序在监听。</translation>
    </message>
    <message>
        <source>Timed out while connecting to %1.</source>
        <translation>连接 %1 时超时。</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>与 %1 的 TLS 握手失败：%2</translation>
    </message>
    <message>
        <source>%1 closed the connection before completing the WebSocket handshake.</source>
        <translation>%1 在完成 WebSocket 握手之前关闭了连接。</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2</source>
        <translation>无法连接到 %1：%2</translation>
    </message>
    <message>
        <source>The connection ended before the WebSocket handshake completed.</source>
        <translation>连接在 WebSocket 握手完成之前结束。</translation>
    </message>
    <message>
        <source>abnormal closure</source>
        <translation>异常关闭</translation>
    </message>
    <message>
        <source>abnormal closure (aborted locally)</source>
        <translation>异常关闭（本地中止）</translation>
    </message>
    <message>
        <source>abnormal closure: the server did not answer the close frame</source>
        <translation>异常关闭：服务器未响应关闭帧</translation>
    </message>
    <message>
        <source>The connection was failed locally with close code %1: %2</source>
        <translation>连接在本地以关闭码 %1 失败：%2</translation>
    </message>
    <message>
        <source>Timed out after %1 ms: %2 accepted the connection but did not answer the WebSocket handshake.</source>
        <translation>%1 毫秒后超时：%2 接受了连接，但没有响应 WebSocket 握手。</translation>
    </message>
    <message>
        <source>Timed out after %1 ms while connecting to %2.</source>
        <translation>连接 %2 时在 %1 毫秒后超时。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a WebSocket URL: it must start with ws:// or wss://.</source>
        <translation>“%1”不是 WebSocket URL：必须以 ws:// 或 wss:// 开头。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has no host name.</source>
        <translation>“%1”没有主机名。</translation>
    </message>
    <message>
        <source>The wire tap could not listen (%1): the handshake response and frames will not be observed.</source>
        <translation>线路监听器无法监听（%1）：将无法观测握手响应和帧。</translation>
    </message>
    <message>
        <source>The connection attempt was cancelled.</source>
        <translation>连接尝试已取消。</translation>
    </message>
    <message>
        <source>The internal TLS hop to the wire tap was not trusted: %1</source>
        <translation>到线路监听器的内部 TLS 链路不受信任：%1</translation>
    </message>
    <message>
        <source>The internal TLS hop between Qt and the wire tap failed: %1</source>
        <translation>Qt 与线路监听器之间的内部 TLS 链路失败：%1</translation>
    </message>
    <message>
        <source>It hung up right after the TLS handshake without an HTTP answer: a server that requires a client certificate does this when it refuses the one presented, or its absence.</source>
        <translation>对端在 TLS 握手后立即断开，且没有任何 HTTP 应答：要求客户端证书的服务器在拒绝所提供的证书（或拒绝未提供证书）时就会这样做。</translation>
    </message>
    <message>
        <source>The wire tap could not make a certificate for &quot;%1&quot; (%2), so it relays the encrypted bytes without reading them.</source>
        <translation>线路监听器无法为“%1”生成证书（%2），因此只转发加密字节而不读取其内容。</translation>
    </message>
    <message>
        <source>no body</source>
        <translation>无正文</translation>
    </message>
    <message>
        <source>HTTP %1 %2: not a WebSocket endpoint</source>
        <translation>HTTP %1 %2：不是 WebSocket 端点</translation>
    </message>
    <message>
        <source>The server sent a message over the limit: %1. The connection was failed with close code 1009.</source>
        <translation>服务器发送的消息超出了上限：%1。连接已以关闭码 1009 终止。</translation>
    </message>
    <message>
        <source>The server violated the protocol: %1. The connection was failed with close code %2.</source>
        <translation>服务器违反了协议：%1。连接已以关闭码 %2 终止。</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientTab</name>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Trusted CA Certificates</source>
        <translation>受信任的 CA 证书</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM 文件 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Client Certificate</source>
        <translation>客户端证书</translation>
    </message>
    <message>
        <source>Client Private Key</source>
        <translation>客户端私钥</translation>
    </message>
    <message>
        <source>PEM keys (*.pem *.key);;All files (*)</source>
        <translation>PEM 密钥 (*.pem *.key);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Ignore certificate errors (unsafe)</source>
        <translation>忽略证书错误（不安全）</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Ping</source>
        <translation>Ping</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The WebSocket URL to connect to (ws:// or wss://)</source>
        <translation>要连接的 WebSocket URL（ws:// 或 wss://）</translation>
    </message>
    <message>
        <source>chat, superchat</source>
        <translation>chat, superchat</translation>
    </message>
    <message>
        <source>http://localhost (none when empty)</source>
        <translation>http://localhost（留空则不发送）</translation>
    </message>
    <message>
        <source>Connect even when the server&apos;s certificate cannot be verified. The tab and the log say so.</source>
        <translation>即使无法验证服务器证书也进行连接。标签页和日志会注明这一点。</translation>
    </message>
    <message>
        <source>Send the message (Ctrl+Enter)</source>
        <translation>发送消息（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Send a Ping; the Pong&apos;s round trip time appears in the log</source>
        <translation>发送 Ping；Pong 的往返时间会显示在日志中</translation>
    </message>
    <message>
        <source>reason (optional)</source>
        <translation>原因（可选）</translation>
    </message>
    <message>
        <source>Start the closing handshake with this code and reason</source>
        <translation>使用此代码和原因开始关闭握手</translation>
    </message>
    <message>
        <source>Headers</source>
        <translation>请求头</translation>
    </message>
    <message>
        <source>Handshake</source>
        <translation>握手</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL：</translation>
    </message>
    <message>
        <source>Close:</source>
        <translation>关闭：</translation>
    </message>
    <message>
        <source>Subprotocols:</source>
        <translation>子协议：</translation>
    </message>
    <message>
        <source>Origin:</source>
        <translation>Origin：</translation>
    </message>
    <message>
        <source>Trusted CA:</source>
        <translation>受信任的 CA：</translation>
    </message>
    <message>
        <source>Client cert:</source>
        <translation>客户端证书：</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>密钥：</translation>
    </message>
    <message>
        <source>Key passphrase:</source>
        <translation>密钥口令：</translation>
    </message>
    <message>
        <source>This is not a valid URL: %1</source>
        <translation>这不是有效的 URL：%1</translation>
    </message>
    <message>
        <source>The URL needs a scheme: ws:// or wss://.</source>
        <translation>URL 需要协议：ws:// 或 wss://。</translation>
    </message>
    <message>
        <source>The scheme must be ws:// or wss://, not %1://.</source>
        <translation>协议必须是 ws:// 或 wss://，而不是 %1://。</translation>
    </message>
    <message>
        <source>A WebSocket URL cannot have a fragment (#…) (RFC 6455 section 3).</source>
        <translation>WebSocket URL 不能包含片段（#…）（RFC 6455 第 3 节）。</translation>
    </message>
    <message>
        <source>New client</source>
        <translation>新客户端</translation>
    </message>
    <message>
        <source>The close reason is %1 bytes of UTF-8; a Close frame allows at most %2 (RFC 6455 section 5.5).</source>
        <translation>关闭原因为 %1 字节 UTF-8；关闭帧最多允许 %2 字节（RFC 6455 第 5.5 节）。</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>Open (connection %1)</source>
        <translation>已打开（连接 %1）</translation>
    </message>
    <message>
        <source>Open (connection %1, subprotocol %2)</source>
        <translation>已打开（连接 %1，子协议 %2）</translation>
    </message>
    <message>
        <source>Closing…</source>
        <translation>正在关闭…</translation>
    </message>
    <message>
        <source>by this tab</source>
        <translation>由此标签页</translation>
    </message>
    <message>
        <source>by the server</source>
        <translation>由服务器</translation>
    </message>
    <message>
        <source>Closed %1: %2 %3</source>
        <translation>已关闭 %1：%2 %3</translation>
    </message>
    <message>
        <source> — &quot;%1&quot;</source>
        <translation>——“%1”</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>断开</translation>
    </message>
    <message>
        <source>⚠ Certificate errors are ignored in this tab: the server&apos;s identity is not verified (TLS options).</source>
        <translation>⚠ 此标签页忽略证书错误：服务器身份未经验证（TLS 选项）。</translation>
    </message>
    <message>
        <source>ws://localhost:8080/</source>
        <translation>ws://localhost:8080/</translation>
    </message>
    <message>
        <source>Enter a URL such as ws://localhost:8080/.</source>
        <translation>请输入 URL，例如 ws://localhost:8080/。</translation>
    </message>
    <message>
        <source>The URL needs a scheme: ws:// or wss://, as in ws://localhost:8080/.</source>
        <translation>URL 需要协议：ws:// 或 wss://，例如 ws://localhost:8080/。</translation>
    </message>
    <message>
        <source>The URL has no host; for example ws://localhost:8080/.</source>
        <translation>URL 没有主机；例如 ws://localhost:8080/。</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientTabs</name>
    <message>
        <source>Open a new client tab (Ctrl+T)</source>
        <translation>打开新的客户端标签页（Ctrl+T）</translation>
    </message>
    <message>
        <source>Rename Tab</source>
        <translation>重命名标签页</translation>
    </message>
    <message>
        <source>Tab name (empty: use host and port):</source>
        <translation>标签页名称（留空则使用主机和端口）：</translation>
    </message>
    <message>
        <source>%1
Certificate errors are ignored in this tab.</source>
        <translation>%1
此标签页忽略证书错误。</translation>
    </message>
</context>
<context>
    <name>sockpit::CloseCodeCombo</name>
    <message>
        <source>Pick a close code or type any code from 1000 to 4999 that may be sent (RFC 6455 section 7.4).</source>
        <translation>选择一个关闭码，或输入 1000 到 4999 之间任何可发送的代码（RFC 6455 第 7.4 节）。</translation>
    </message>
    <message>
        <source>Type a close code, for example 1000 or 4001.</source>
        <translation>输入关闭码，例如 1000 或 4001。</translation>
    </message>
    <message>
        <source>%1 cannot be sent in a Close frame (%2).</source>
        <translation>%1 不能在关闭帧中发送（%2）。</translation>
    </message>
</context>
<context>
    <name>sockpit::ConnectionLinks</name>
    <message>
        <source>client #%1 ↔ server #%2</source>
        <translation>客户端 #%1 ↔ 服务器 #%2</translation>
    </message>
    <message>
        <source>client #%1</source>
        <translation>客户端 #%1</translation>
    </message>
    <message>
        <source>server #%1 ↔ client #%2</source>
        <translation>服务器 #%1 ↔ 客户端 #%2</translation>
    </message>
</context>
<context>
    <name>sockpit::ConnectionListModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>对端</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Subprotocol</source>
        <translation>子协议</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Bytes in</source>
        <translation>收到的字节</translation>
    </message>
    <message>
        <source>Bytes out</source>
        <translation>发出的字节</translation>
    </message>
    <message>
        <source>Messages received from this peer</source>
        <translation>从此对端收到的消息</translation>
    </message>
    <message>
        <source>Messages sent to this peer</source>
        <translation>发送给此对端的消息</translation>
    </message>
    <message>
        <source>Bytes received from this peer</source>
        <translation>从此对端收到的字节</translation>
    </message>
    <message>
        <source>Bytes sent to this peer</source>
        <translation>发送给此对端的字节</translation>
    </message>
    <message>
        <source>In</source>
        <translation>收到</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>发出</translation>
    </message>
</context>
<context>
    <name>sockpit::EmbeddedServer</name>
    <message>
        <source>The maximum message size must be at least one byte.</source>
        <translation>最大消息大小必须至少为一个字节。</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>与 %1 的 TLS 握手失败：%2</translation>
    </message>
    <message>
        <source>Cannot listen on %1: the port is already in use.</source>
        <translation>无法在 %1 上监听：端口已被占用。</translation>
    </message>
    <message>
        <source>Cannot listen on %1: the address is not one of this machine&apos;s.</source>
        <translation>无法在 %1 上监听：该地址不属于本机。</translation>
    </message>
    <message>
        <source>Cannot listen on %1: permission denied (ports below 1024 need privileges).</source>
        <translation>无法在 %1 上监听：权限被拒绝（1024 以下的端口需要特权）。</translation>
    </message>
    <message>
        <source>Cannot listen on %1: %2</source>
        <translation>无法在 %1 上监听：%2</translation>
    </message>
    <message>
        <source>%1 did not send a complete upgrade request within %2 ms.</source>
        <translation>%1 未在 %2 毫秒内发送完整的升级请求。</translation>
    </message>
    <message>
        <source>Handshake from %1 rejected with %2: %3</source>
        <translation>来自 %1 的握手被以 %2 拒绝：%3</translation>
    </message>
    <message>
        <source>The WebSocket stack refused the request from %1 with %2.</source>
        <translation>WebSocket 协议栈以 %2 拒绝了来自 %1 的请求。</translation>
    </message>
    <message>
        <source>Cannot listen on &quot;%1&quot;: use localhost or an IP address such as 127.0.0.1 or ::1.</source>
        <translation>无法在“%1”上监听：请使用 localhost 或 IP 地址，例如 127.0.0.1 或 ::1。</translation>
    </message>
    <message>
        <source>Cannot listen on %1: no loopback address is available.</source>
        <translation>无法在 %1 上监听：没有可用的回环地址。</translation>
    </message>
    <message>
        <source>%1 is not available on this machine; listening on %2 only.</source>
        <translation>此计算机上没有 %1；仅在 %2 上监听。</translation>
    </message>
    <message>
        <source>Accepting a connection failed: %1</source>
        <translation>接受连接失败：%1</translation>
    </message>
    <message>
        <source>No file descriptor is left for the connection from %1 (this process may have %2 open): answered 503.</source>
        <translation>没有可用于来自 %1 的连接的文件描述符（此进程最多可打开 %2 个）：已回复 503。</translation>
    </message>
    <message>
        <source>No file descriptor is left for the connection from %1: answered 503.</source>
        <translation>没有可用于来自 %1 的连接的文件描述符：已回复 503。</translation>
    </message>
</context>
<context>
    <name>sockpit::EventFilterProxy</name>
    <message>
        <source>%1 (at character %2)</source>
        <translation>%1（位于第 %2 个字符）</translation>
    </message>
</context>
<context>
    <name>sockpit::EventInspector</name>
    <message>
        <source>Opcode</source>
        <translation>操作码</translation>
    </message>
    <message>
        <source>FIN</source>
        <translation>FIN</translation>
    </message>
    <message>
        <source>RSV</source>
        <translation>RSV</translation>
    </message>
    <message>
        <source>Masked</source>
        <translation>已掩码</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>长度</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详细信息</translation>
    </message>
    <message>
        <source>Headers</source>
        <translation>请求头</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>负载</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>帧</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Nothing selected</source>
        <translation>未选择任何内容</translation>
    </message>
    <message>
        <source>Select an event in the log to see it here.</source>
        <translation>在日志中选择一个事件即可在此查看。</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>(the server)</source>
        <translation>（服务器）</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>对端</translation>
    </message>
    <message>
        <source>Subprotocol</source>
        <translation>子协议</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Round trip</source>
        <translation>往返时间</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>接收者</translation>
    </message>
    <message>
        <source>Close code</source>
        <translation>关闭码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>含义</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Initiated by</source>
        <translation>发起方</translation>
    </message>
    <message>
        <source>the server (local)</source>
        <translation>服务器（本地）</translation>
    </message>
    <message>
        <source>this client (local)</source>
        <translation>此客户端（本地）</translation>
    </message>
    <message>
        <source>the client (remote)</source>
        <translation>客户端（远端）</translation>
    </message>
    <message>
        <source>the server (remote)</source>
        <translation>服务器（远端）</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Error id</source>
        <translation>错误标识</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>协议</translation>
    </message>
    <message>
        <source>Cipher</source>
        <translation>加密套件</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>turned off by the user</source>
        <translation>已被用户关闭</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>主体</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>颁发者</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>有效期起</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Certificate error</source>
        <translation>证书错误</translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln 字节</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::EventLogModel</name>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>in</source>
        <translation>入</translation>
    </message>
    <message>
        <source>out</source>
        <translation>出</translation>
    </message>
    <message>
        <source>listening</source>
        <translation>监听中</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>handshake</source>
        <translation>握手</translation>
    </message>
    <message>
        <source>open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>binary</source>
        <translation>二进制</translation>
    </message>
    <message>
        <source>ping</source>
        <translation>ping</translation>
    </message>
    <message>
        <source>pong</source>
        <translation>pong</translation>
    </message>
    <message>
        <source>close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>broadcast</source>
        <translation>广播</translation>
    </message>
    <message>
        <source>tls</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>%1 → (no response observed)</source>
        <translation>%1 → （未观测到响应）</translation>
    </message>
    <message>
        <source>%1 → %2 %3</source>
        <translation>%1 → %2 %3</translation>
    </message>
    <message>
        <source>local</source>
        <translation>本地</translation>
    </message>
    <message>
        <source>remote</source>
        <translation>远端</translation>
    </message>
    <message>
        <source>%1 %2 (%3)</source>
        <translation>%1 %2（%3）</translation>
    </message>
    <message>
        <source>%1 %2: %3 (%4)</source>
        <translation>%1 %2：%3（%4）</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message>
        <source>%1, verification disabled</source>
        <translation>%1，验证已禁用</translation>
    </message>
    <message>
        <source>%1, rtt %2 ms</source>
        <translation>%1，往返 %2 毫秒</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>peer %1</source>
        <translation>对端 %1</translation>
    </message>
    <message>
        <source>peer %1, subprotocol %2</source>
        <translation>对端 %1，子协议 %2</translation>
    </message>
    <message>
        <source>to %1: %2</source>
        <translation>发给 %1：%2</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <source>%1 KiB</source>
        <translation>%1 KiB</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1, 1 certificate error</source>
        <translation>%1，1 个证书错误</translation>
    </message>
    <message>
        <source>%1, %2 certificate errors</source>
        <translation>%1，%2 个证书错误</translation>
    </message>
    <message numerus="yes">
        <source>%n bytes</source>
        <translation>
            <numerusform>%n 字节</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::FilePickerField</name>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
</context>
<context>
    <name>sockpit::GuiMain</name>
    <message>
        <source>Sockpit: a WebSocket test console.</source>
        <translation>Sockpit：WebSocket 测试控制台。</translation>
    </message>
    <message>
        <source>Interface language (en, de, fr, zh_CN); overrides the Preferences and the system locale.</source>
        <translation>界面语言（en、de、fr、zh_CN）；优先于首选项和系统区域设置。</translation>
    </message>
    <message>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>A JSON Lines event log to open.</source>
        <translation>要打开的 JSON Lines 事件日志。</translation>
    </message>
    <message>
        <source>at most one WORKSPACE may be given</source>
        <translation>最多只能指定一个 WORKSPACE</translation>
    </message>
    <message>
        <source>no translation for language &quot;%1&quot;; using English</source>
        <translation>没有语言“%1”的翻译；将使用英语</translation>
    </message>
</context>
<context>
    <name>sockpit::HandshakeLimitsBox</name>
    <message>
        <source>Handshake</source>
        <translation>握手</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>A client has this long from the TCP accept to complete the opening handshake; then the connection is dropped</source>
        <translation>客户端从 TCP 接受起完成开始握手的时限；超时后断开连接</translation>
    </message>
    <message>
        <source> bytes</source>
        <translation> 字节</translation>
    </message>
    <message>
        <source>A larger upgrade request is answered with HTTP 431</source>
        <translation>更大的升级请求将得到 HTTP 431</translation>
    </message>
    <message>
        <source>A longer request or header line is answered with HTTP 431 (Qt&apos;s WebSocket stack takes no longer lines)</source>
        <translation>更长的请求行或头部行将得到 HTTP 431（Qt 的 WebSocket 协议栈不接受更长的行）</translation>
    </message>
    <message>
        <source>More header fields are answered with HTTP 431 (Qt&apos;s WebSocket stack takes no more)</source>
        <translation>更多的头部字段将得到 HTTP 431（Qt 的 WebSocket 协议栈不接受更多）</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>超时：</translation>
    </message>
    <message>
        <source>Request head:</source>
        <translation>请求头：</translation>
    </message>
    <message>
        <source>Header line:</source>
        <translation>头部行：</translation>
    </message>
    <message>
        <source>Header fields:</source>
        <translation>头部字段：</translation>
    </message>
</context>
<context>
    <name>sockpit::HandshakeView</name>
    <message>
        <source>Request: %1 %2 HTTP/1.1</source>
        <translation>请求：%1 %2 HTTP/1.1</translation>
    </message>
    <message>
        <source>Response: HTTP/1.1 %1 %2</source>
        <translation>响应：HTTP/1.1 %1 %2</translation>
    </message>
    <message>
        <source>Body: %1</source>
        <translation>正文：%1</translation>
    </message>
    <message>
        <source>Response: not observed</source>
        <translation>响应：未观测到</translation>
    </message>
</context>
<context>
    <name>sockpit::HeadersEditor</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Add a request header</source>
        <translation>添加请求头</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove the selected headers</source>
        <translation>移除所选请求头</translation>
    </message>
</context>
<context>
    <name>sockpit::JsonLines</name>
    <message>
        <source>a string</source>
        <translation>字符串</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; holds a character that is not an HTTP byte.</source>
        <translation>键“%1”包含一个不是 HTTP 字节的字符。</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not valid base64.</source>
        <translation>键“%1”不是有效的 base64。</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true 或 false</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>an array</source>
        <translation>数组</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not an ISO 8601 time: &quot;%2&quot;.</source>
        <translation>键“%1”不是 ISO 8601 时间：“%2”。</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; has an unknown value &quot;%2&quot;.</source>
        <translation>键“%1”的值“%2”未知。</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not %2.</source>
        <translation>键“%1”不是%2。</translation>
    </message>
    <message>
        <source>A header is not a [name, value] pair of strings.</source>
        <translation>某个标头不是由字符串组成的 [名称, 值] 对。</translation>
    </message>
    <message>
        <source>A TLS error is not a string.</source>
        <translation>某个 TLS 错误不是字符串。</translation>
    </message>
    <message>
        <source>A frame is not an object.</source>
        <translation>某个帧不是对象。</translation>
    </message>
    <message>
        <source>The line is not JSON: %1 at character %2.</source>
        <translation>该行不是 JSON：%1（第 %2 个字符）。</translation>
    </message>
    <message>
        <source>The line is JSON but not an object.</source>
        <translation>该行是 JSON，但不是对象。</translation>
    </message>
    <message>
        <source>The line has no &quot;kind&quot;.</source>
        <translation>该行没有“kind”。</translation>
    </message>
    <message>
        <source>The key &quot;kind&quot; is not a string.</source>
        <translation>键“kind”不是字符串。</translation>
    </message>
    <message>
        <source>The line has an unknown kind &quot;%1&quot;.</source>
        <translation>该行的类型“%1”未知。</translation>
    </message>
    <message>
        <source>The key &quot;rttMs&quot; is not a number.</source>
        <translation>键“rttMs”不是数字。</translation>
    </message>
    <message>
        <source>The event log is not open for reading.</source>
        <translation>事件日志未以读取方式打开。</translation>
    </message>
    <message>
        <source>Cannot open the event log %1: %2.</source>
        <translation>无法打开事件日志 %1：%2。</translation>
    </message>
    <message>
        <source>Cannot write the event log %1: %2.</source>
        <translation>无法写入事件日志 %1：%2。</translation>
    </message>
    <message>
        <source>to standard output</source>
        <translation>到标准输出</translation>
    </message>
    <message>
        <source>Cannot write the event log: %1.</source>
        <translation>无法写入事件日志：%1。</translation>
    </message>
    <message>
        <source>A listening address is not a string.</source>
        <translation>监听地址不是字符串。</translation>
    </message>
</context>
<context>
    <name>sockpit::LogFileWindow</name>
    <message>
        <source>%1 — Sockpit log</source>
        <translation>%1 — Sockpit 日志</translation>
    </message>
</context>
<context>
    <name>sockpit::LogFilterBar</name>
    <message>
        <source>Regex</source>
        <translation>正则</translation>
    </message>
    <message>
        <source>Show only the checked kinds of event</source>
        <translation>仅显示勾选的事件类型</translation>
    </message>
    <message>
        <source>Show all kinds</source>
        <translation>显示所有类型</translation>
    </message>
    <message>
        <source>Any source</source>
        <translation>任意来源</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Any connection</source>
        <translation>任意连接</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Show one connection&apos;s events (0: all)</source>
        <translation>显示某个连接的事件（0：全部）</translation>
    </message>
    <message>
        <source>Any direction</source>
        <translation>任意方向</translation>
    </message>
    <message>
        <source>In</source>
        <translation>入</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>出</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Filter (Ctrl+F)</source>
        <translation>筛选（Ctrl+F）</translation>
    </message>
    <message>
        <source>Treat the filter text as a regular expression</source>
        <translation>将筛选文本视为正则表达式</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>所有类型</translation>
    </message>
    <message>
        <source>Kinds: %1</source>
        <translation>类型：%1</translation>
    </message>
    <message>
        <source>Invalid regular expression: %1</source>
        <translation>无效的正则表达式：%1</translation>
    </message>
    <message>
        <source>Text matched against each event (case-insensitive)</source>
        <translation>与每个事件匹配的文本（不区分大小写）</translation>
    </message>
    <message>
        <source>Regular expression matched against each part of an event (its message, summary, each header…): ^ and $ anchor at the start and end of that part</source>
        <translation>正则表达式分别与事件的每个部分（消息、摘要、每个标头……）匹配：^ 和 $ 锚定在该部分的开头和结尾</translation>
    </message>
</context>
<context>
    <name>sockpit::LogView</name>
    <message>
        <source>Follow</source>
        <translation>跟随</translation>
    </message>
    <message>
        <source>Keep the newest event in view. Scrolling up stops it; scrolling to the bottom starts it again.</source>
        <translation>保持显示最新事件。向上滚动会停止跟随；滚动到底部会重新开始。</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Freeze the table to read it: events are still recorded (and exported) and appear when you resume.</source>
        <translation>冻结表格以便阅读：事件仍会被记录（和导出），并在继续时显示。</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Forget every event recorded so far</source>
        <translation>丢弃目前记录的所有事件</translation>
    </message>
    <message>
        <source>Events shown by the filter / recorded in total / evicted to keep memory bounded</source>
        <translation>筛选显示的事件 / 总共记录的事件 / 为限制内存而移除的事件</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>%1 / %2 / %3</source>
        <comment>shown / total / evicted</comment>
        <translation>%1 / %2 / %3</translation>
    </message>
    <message numerus="yes">
        <source>%Ln shown</source>
        <translation>
            <numerusform>显示 %Ln</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln total</source>
        <translation>
            <numerusform>共 %Ln</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln evicted</source>
        <translation>
            <numerusform>移除 %Ln</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> — paused, %Ln new waiting</source>
        <translation>
            <numerusform> ——已暂停，%Ln 条新事件待显示</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::MainWindow</name>
    <message>
        <source>Sockpit</source>
        <translation>Sockpit</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Client tabs now trust %1</source>
        <translation>客户端标签页现在信任 %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Log…</source>
        <translation>打开日志(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Export All…</source>
        <translation>全部导出(&amp;E)…</translation>
    </message>
    <message>
        <source>Export &amp;Filtered…</source>
        <translation>导出筛选结果(&amp;F)…</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Clients</source>
        <translation>客户端(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;New Tab</source>
        <translation>新建标签页(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Close Tab</source>
        <translation>关闭标签页(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Rename Tab…</source>
        <translation>重命名标签页(&amp;R)…</translation>
    </message>
    <message>
        <source>Open N Clients to the &amp;Local Server…</source>
        <translation>向本地服务器打开 N 个客户端(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Find in Log</source>
        <translation>在日志中查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Clear Log</source>
        <translation>清除日志(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Sockpit</source>
        <translation>关于 Sockpit(&amp;A)</translation>
    </message>
    <message>
        <source>About Sockpit</source>
        <translation>关于 Sockpit</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Sockpit %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A WebSocket test console: an embedded server, client tabs and one wire-level log.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Sockpit %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;WebSocket 测试控制台：内置服务器、客户端标签页和一份线路级日志。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Open Log</source>
        <translation>打开日志</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>……另有 %1 条</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Export All Events</source>
        <translation>导出所有事件</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export Filtered Events</source>
        <translation>导出筛选后的事件</translation>
    </message>
    <message>
        <source>Open Clients</source>
        <translation>打开客户端</translation>
    </message>
    <message>
        <source>Start the server first: the clients connect to it.</source>
        <translation>请先启动服务器：客户端会连接到它。</translation>
    </message>
    <message>
        <source>Open this many client tabs to %1:</source>
        <translation>向 %1 打开的客户端标签页数量：</translation>
    </message>
    <message numerus="yes">
        <source>Read %Ln events from %1</source>
        <translation>
            <numerusform>已从 %1 读取 %Ln 个事件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %Ln lines of %2 could not be read and were skipped; the other events are shown.</source>
        <translation>
            <numerusform>%2 的 %Ln 行中有 %1 行无法读取并已跳过；其余事件已显示。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::MessageComposer</name>
    <message>
        <source>Pretty</source>
        <translation>美化</translation>
    </message>
    <message>
        <source>Load file…</source>
        <translation>加载文件…</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Binary</source>
        <translation>二进制</translation>
    </message>
    <message>
        <source>How the message is written and sent</source>
        <translation>消息的编写和发送方式</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>十六进制</translation>
    </message>
    <message>
        <source>Base64</source>
        <translation>Base64</translation>
    </message>
    <message>
        <source>How the binary message is typed</source>
        <translation>二进制消息的输入方式</translation>
    </message>
    <message>
        <source>Indent the JSON message</source>
        <translation>缩进 JSON 消息</translation>
    </message>
    <message>
        <source>Send the contents of a file as one binary message</source>
        <translation>将文件内容作为一条二进制消息发送</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>消息：</translation>
    </message>
    <message>
        <source>Send a File</source>
        <translation>发送文件</translation>
    </message>
    <message>
        <source>%1 is too big to send from here (%2 bytes; the limit is %3).</source>
        <translation>%1 太大，无法从这里发送（%2 字节；上限为 %3）。</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>{&quot;type&quot;: &quot;hello&quot;}</source>
        <translation>{&quot;type&quot;: &quot;hello&quot;}</translation>
    </message>
    <message>
        <source>48 65 6c 6c 6f</source>
        <translation>48 65 6c 6c 6f</translation>
    </message>
    <message>
        <source>Type a message</source>
        <translation>输入消息</translation>
    </message>
    <message>
        <source>Valid JSON</source>
        <translation>有效的 JSON</translation>
    </message>
    <message numerus="yes">
        <source>%Ln characters of pasted text, with a line too long to show here, will be sent as they are; type to replace them.</source>
        <translation>
            <numerusform>粘贴的文本（%Ln 个字符）含有过长而无法在此显示的行，将原样发送；输入内容可替换它。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (%Ln bytes) will be sent; type to replace it.</source>
        <translation>
            <numerusform>将发送 %1（%Ln 字节）；输入内容可替换它。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln 字节</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::PayloadView</name>
    <message>
        <source>Write the whole recorded payload to a file</source>
        <translation>将记录的完整负载写入文件</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>十六进制</translation>
    </message>
    <message>
        <source>(root)</source>
        <translation>（根）</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>(more items not shown)</source>
        <translation>（更多项目未显示）</translation>
    </message>
    <message>
        <source>Save Payload</source>
        <translation>保存负载</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>Showing %1 of %Ln bytes</source>
        <translation>
            <numerusform>显示 %Ln 字节中的 %1 字节</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln 字节</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Only the first %Ln bytes were recorded.</source>
        <translation>
            <numerusform>只记录了前 %Ln 个字节。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>object, %Ln keys</source>
        <translation>
            <numerusform>对象，%Ln 个键</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>array, %Ln items</source>
        <translation>
            <numerusform>数组，%Ln 个元素</numerusform>
        </translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
</context>
<context>
    <name>sockpit::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <source>System (%1)</source>
        <translation>系统（%1）</translation>
    </message>
    <message>
        <source>A new language applies after Sockpit is restarted.</source>
        <translation>新语言将在 Sockpit 重启后生效。</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerConnection</name>
    <message>
        <source>A message from %1 was larger than the limit; the connection was closed with 1009.</source>
        <translation>来自 %1 的消息超过了上限；连接已以 1009 关闭。</translation>
    </message>
    <message>
        <source>The frames sent to %1 could no longer be decoded (%2); outgoing messages are recorded as sent from here on.</source>
        <translation>发往 %1 的帧已无法解码（%2）；此后发出的消息按提交发送时的内容记录。</translation>
    </message>
    <message>
        <source>%1 broke the WebSocket protocol: %2. The connection was closed with %3.</source>
        <translation>%1 违反了 WebSocket 协议：%2。连接已以 %3 关闭。</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerPanel</name>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Open clients</source>
        <translation>打开客户端</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send to all</source>
        <translation>发送给所有人</translation>
    </message>
    <message>
        <source>Close selected</source>
        <translation>关闭所选</translation>
    </message>
    <message>
        <source>Close all</source>
        <translation>全部关闭</translation>
    </message>
    <message>
        <source>How many client tabs to open</source>
        <translation>要打开的客户端标签页数量</translation>
    </message>
    <message>
        <source>Open this many client tabs to the running server and connect them all (for broadcast tests)</source>
        <translation>向正在运行的服务器打开这么多客户端标签页并全部连接（用于广播测试）</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>监听</translation>
    </message>
    <message>
        <source>0 (any free port)</source>
        <translation>0（任意空闲端口）</translation>
    </message>
    <message>
        <source>0 picks a free port</source>
        <translation>0 表示自动选择空闲端口</translation>
    </message>
    <message>
        <source>Echo: reply to the sender</source>
        <translation>回显：回复发送者</translation>
    </message>
    <message>
        <source>Silent: record only</source>
        <translation>静默：仅记录</translation>
    </message>
    <message>
        <source>%m (e.g. Server says: %m)</source>
        <translation>%m（例如 服务器说：%m）</translation>
    </message>
    <message>
        <source>What is sent back; %m is the received message</source>
        <translation>回送的内容；%m 表示收到的消息</translation>
    </message>
    <message>
        <source>chat, superchat (in preference order)</source>
        <translation>chat, superchat（按优先顺序）</translation>
    </message>
    <message>
        <source> KiB</source>
        <translation> KiB</translation>
    </message>
    <message>
        <source>Larger incoming messages close the connection with 1009</source>
        <translation>更大的传入消息会以 1009 关闭连接</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>主机：</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <source>Reply:</source>
        <translation>回复：</translation>
    </message>
    <message>
        <source>Subprotocols:</source>
        <translation>子协议：</translation>
    </message>
    <message>
        <source>Max message:</source>
        <translation>最大消息：</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Text to send</source>
        <translation>要发送的文本</translation>
    </message>
    <message>
        <source>Send the text to the selected connections</source>
        <translation>将文本发送到所选连接</translation>
    </message>
    <message>
        <source>Broadcast the text to every open connection</source>
        <translation>将文本广播到每个已打开的连接</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>wss needs a certificate: choose one or generate a self-signed one.</source>
        <translation>wss 需要证书：请选择一个或生成自签名证书。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Close every connection (1001) and stop listening</source>
        <translation>关闭所有连接（1001）并停止监听</translation>
    </message>
    <message>
        <source>Start listening</source>
        <translation>开始监听</translation>
    </message>
    <message>
        <source>Could not start: %1</source>
        <translation>无法启动：%1</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>正在 %1 上监听</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Where to listen: localhost (127.0.0.1 and ::1, this machine only), one address such as 127.0.0.1 or ::1, or 0.0.0.0 / :: (every interface)</source>
        <translation>监听位置：localhost（127.0.0.1 和 ::1，仅本机）、单个地址（如 127.0.0.1 或 ::1），或 0.0.0.0 / ::（所有网络接口）</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not localhost or an IP address; use localhost, 127.0.0.1, ::1 or 0.0.0.0.</source>
        <translation>“%1”既不是 localhost 也不是 IP 地址；请使用 localhost、127.0.0.1、::1 或 0.0.0.0。</translation>
    </message>
    <message>
        <source>Broadcast: to every client</source>
        <translation>广播：发给每个客户端</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerPolicyBox</name>
    <message>
        <source>Policy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>any origin</source>
        <translation>任意来源</translation>
    </message>
    <message>
        <source>Origins allowed to connect, separated by commas (for example http://localhost:3000). Others are answered with HTTP 403. Empty: any origin.</source>
        <translation>允许连接的来源，以逗号分隔（例如 http://localhost:3000）。其他来源会收到 HTTP 403。留空：任意来源。</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Close each connection this many seconds after it opens (0: never)</source>
        <translation>每个连接打开这么多秒后将其关闭（0：从不）</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Origins:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <source>Close after:</source>
        <translation>多久后关闭：</translation>
    </message>
    <message>
        <source>Close code:</source>
        <translation>关闭代码：</translation>
    </message>
    <message>
        <source>Close reason:</source>
        <translation>关闭原因：</translation>
    </message>
    <message>
        <source>The close reason is %1 bytes of UTF-8; a Close frame allows at most %2 (RFC 6455 section 5.5).</source>
        <translation>关闭原因为 %1 字节 UTF-8；关闭帧最多允许 %2 字节（RFC 6455 第 5.5 节）。</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerTlsBox</name>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>wss (TLS)</source>
        <translation>wss（TLS）</translation>
    </message>
    <message>
        <source>Server Certificate</source>
        <translation>服务器证书</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer *.p12 *.pfx);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer *.p12 *.pfx);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Server Private Key</source>
        <translation>服务器私钥</translation>
    </message>
    <message>
        <source>PEM keys (*.pem *.key);;All files (*)</source>
        <translation>PEM 密钥 (*.pem *.key);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Generate self-signed…</source>
        <translation>生成自签名证书…</translation>
    </message>
    <message>
        <source>Trust in client tabs</source>
        <translation>在客户端标签页中信任</translation>
    </message>
    <message>
        <source>Serve wss:// with the certificate below</source>
        <translation>使用下方证书提供 wss:// 服务</translation>
    </message>
    <message>
        <source>PEM chain or PKCS#12 bundle</source>
        <translation>PEM 证书链或 PKCS#12 包</translation>
    </message>
    <message>
        <source>PEM key (empty for PKCS#12)</source>
        <translation>PEM 密钥（PKCS#12 时留空）</translation>
    </message>
    <message>
        <source>only for an encrypted key; never saved</source>
        <translation>仅用于加密的密钥；从不保存</translation>
    </message>
    <message>
        <source>Make a certificate for localhost, 127.0.0.1 and ::1 with OpenSSL and save it with its key</source>
        <translation>使用 OpenSSL 为 localhost、127.0.0.1 和 ::1 生成证书，并与其密钥一起保存</translation>
    </message>
    <message>
        <source>Make every client tab trust this certificate as a CA</source>
        <translation>让每个客户端标签页将此证书作为 CA 信任</translation>
    </message>
    <message>
        <source>Certificate:</source>
        <translation>证书：</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>密钥：</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>口令：</translation>
    </message>
    <message>
        <source>Generate a Self-Signed Certificate</source>
        <translation>生成自签名证书</translation>
    </message>
    <message>
        <source>The certificate covers localhost, 127.0.0.1 and ::1.
Further host names or IP addresses (comma-separated, optional):</source>
        <translation>该证书适用于 localhost、127.0.0.1 和 ::1。
其他主机名或 IP 地址（以逗号分隔，可选）：</translation>
    </message>
    <message>
        <source>Save the Certificate</source>
        <translation>保存证书</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem)</source>
        <translation>PEM 证书 (*.pem)</translation>
    </message>
    <message>
        <source>Self-Signed Certificate</source>
        <translation>自签名证书</translation>
    </message>
    <message>
        <source>No certificate chosen.</source>
        <translation>未选择证书。</translation>
    </message>
    <message>
        <source>PKCS#12 bundle: its details show once the server starts.</source>
        <translation>PKCS#12 包：服务器启动后将显示其详细信息。</translation>
    </message>
    <message>
        <source>SHA-256: %1
Valid from %2 to %3</source>
        <translation>SHA-256：%1
有效期从 %2 到 %3</translation>
    </message>
    <message>
        <source>This certificate has expired.</source>
        <translation>此证书已过期。</translation>
    </message>
    <message>
        <source>This certificate is not valid yet.</source>
        <translation>此证书尚未生效。</translation>
    </message>
    <message>
        <source>Client Certificate Authorities</source>
        <translation>客户端证书颁发机构</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM 证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>optional: require client certificates</source>
        <translation>可选：要求客户端证书</translation>
    </message>
    <message>
        <source>Mutual TLS: when a CA file is chosen, every wss client must present a certificate issued by one of its CAs</source>
        <translation>双向 TLS：选择 CA 文件后，每个 wss 客户端都必须出示由其中某个 CA 签发的证书</translation>
    </message>
    <message>
        <source>Client CA:</source>
        <translation>客户端 CA：</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerWireTap</name>
    <message>
        <source>unmasked frame from the client (RFC 6455 section 5.1)</source>
        <translation>来自客户端的未掩码帧（RFC 6455 第 5.1 节）</translation>
    </message>
    <message>
        <source>The WebSocket stack answered with an oversized head.</source>
        <translation>WebSocket 协议栈返回的响应头部过大。</translation>
    </message>
    <message>
        <source>The WebSocket stack&apos;s answer could not be parsed.</source>
        <translation>无法解析 WebSocket 协议栈的应答。</translation>
    </message>
    <message>
        <source>The WebSocket stack closed the connection without answering the request.</source>
        <translation>WebSocket 协议栈未应答请求就关闭了连接。</translation>
    </message>
</context>
<context>
    <name>sockpit::cli</name>
    <message>
        <source>--send-hex: &quot;%1&quot; is not hexadecimal.</source>
        <translation>--send-hex：“%1”不是十六进制。</translation>
    </message>
    <message>
        <source>--send-base64: &quot;%1&quot; is not base64.</source>
        <translation>--send-base64：“%1”不是 base64。</translation>
    </message>
    <message>
        <source>--send-file: cannot read &quot;%1&quot;: %2.</source>
        <translation>--send-file：无法读取“%1”：%2。</translation>
    </message>
    <message>
        <source>closed %1 (%2)</source>
        <translation>已关闭 %1（%2）</translation>
    </message>
    <message>
        <source>ws:// or wss:// URL</source>
        <translation>ws:// 或 wss:// URL</translation>
    </message>
    <message>
        <source>Extra request header (repeatable).</source>
        <translation>额外的请求头（可重复）。</translation>
    </message>
    <message>
        <source>Name: value</source>
        <translation>名称: 值</translation>
    </message>
    <message>
        <source>Requested subprotocol (repeatable).</source>
        <translation>请求的子协议（可重复）。</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Origin header.</source>
        <translation>Origin 请求头。</translation>
    </message>
    <message>
        <source>ORIGIN</source>
        <translation>ORIGIN</translation>
    </message>
    <message>
        <source>Text message sent once open (repeatable, in order).</source>
        <translation>连接打开后发送的文本消息（可重复，按顺序）。</translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Binary message given as hex (repeatable).</source>
        <translation>以十六进制给出的二进制消息（可重复）。</translation>
    </message>
    <message>
        <source>HEX</source>
        <translation>HEX</translation>
    </message>
    <message>
        <source>Binary message given as base64 (repeatable).</source>
        <translation>以 base64 给出的二进制消息（可重复）。</translation>
    </message>
    <message>
        <source>BASE64</source>
        <translation>BASE64</translation>
    </message>
    <message>
        <source>Binary message read from a file (repeatable).</source>
        <translation>从文件读取的二进制消息（可重复）。</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Send each line of standard input as text; close at its end.</source>
        <translation>将标准输入的每一行作为文本发送；输入结束时关闭。</translation>
    </message>
    <message>
        <source>Outgoing frame size: longer messages are fragmented.</source>
        <translation>发出帧的大小：更长的消息会被分片。</translation>
    </message>
    <message>
        <source>BYTES</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>Close after N messages received.</source>
        <translation>收到 N 条消息后关闭。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Connect timeout, and how long to stay open.</source>
        <translation>连接超时时间，以及保持打开的时长。</translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation>秒数</translation>
    </message>
    <message>
        <source>How to close when done (default 1000).</source>
        <translation>完成时如何关闭（默认 1000）。</translation>
    </message>
    <message>
        <source>CODE[:REASON]</source>
        <translation>代码[:原因]</translation>
    </message>
    <message>
        <source>Trust this CA file (PEM).</source>
        <translation>信任此 CA 文件（PEM）。</translation>
    </message>
    <message>
        <source>Client certificate (mutual TLS).</source>
        <translation>客户端证书（双向 TLS）。</translation>
    </message>
    <message>
        <source>Client private key.</source>
        <translation>客户端私钥。</translation>
    </message>
    <message>
        <source>Ignore certificate errors (logged).</source>
        <translation>忽略证书错误（会记录）。</translation>
    </message>
    <message>
        <source>JSON Lines event log; &quot;-&quot; is stdout.</source>
        <translation>JSON Lines 事件日志；“-”表示 stdout。</translation>
    </message>
    <message>
        <source>connect needs exactly one URL (see &apos;sockpit connect --help&apos;).</source>
        <translation>connect 需要且只需要一个 URL（参见“sockpit connect --help”）。</translation>
    </message>
    <message>
        <source>--header &quot;%1&quot;: expected &quot;Name: value&quot;.</source>
        <translation>--header “%1”：应为“名称: 值”。</translation>
    </message>
    <message>
        <source>--frame-size: expected a positive number of bytes.</source>
        <translation>--frame-size：应为正的字节数。</translation>
    </message>
    <message>
        <source>--expect: expected a number of messages.</source>
        <translation>--expect：应为消息数量。</translation>
    </message>
    <message>
        <source>--timeout: expected a positive number of seconds.</source>
        <translation>--timeout：应为正的秒数。</translation>
    </message>
    <message>
        <source>--close: %1 is not a close code that may be sent (RFC 6455 section 7.4).</source>
        <translation>--close：%1 不是可发送的关闭码（RFC 6455 第 7.4 节）。</translation>
    </message>
    <message>
        <source>--close: the reason must fit in 123 bytes (RFC 6455 section 5.5).</source>
        <translation>--close：原因必须在 123 字节以内（RFC 6455 第 5.5 节）。</translation>
    </message>
    <message>
        <source>--log: %1</source>
        <translation>--log：%1</translation>
    </message>
    <message>
        <source>connected to %1</source>
        <translation>已连接到 %1</translation>
    </message>
    <message>
        <source> (subprotocol %1)</source>
        <translation>（子协议 %1）</translation>
    </message>
    <message>
        <source>timed out after %1 s with %2 of %3 expected messages</source>
        <translation>%1 秒后超时，仅收到预期 %3 条消息中的 %2 条</translation>
    </message>
    <message>
        <source>--listen: expected [IPV6]:PORT, got &quot;%1&quot;.</source>
        <translation>--listen：应为 [IPV6]:PORT，实际为“%1”。</translation>
    </message>
    <message>
        <source>--listen: expected HOST:PORT (an IPv6 host in brackets), got &quot;%1&quot;.</source>
        <translation>--listen：应为 HOST:PORT（IPv6 主机需加方括号），实际为“%1”。</translation>
    </message>
    <message>
        <source>--listen: &quot;%1&quot; is not a port number (0-65535).</source>
        <translation>--listen：“%1”不是端口号（0-65535）。</translation>
    </message>
    <message>
        <source>--close-after: &quot;%1&quot; is not a number of seconds.</source>
        <translation>--close-after：“%1”不是秒数。</translation>
    </message>
    <message>
        <source>--close-after: &quot;%1&quot; is not a close code that may be sent.</source>
        <translation>--close-after：“%1”不是可发送的关闭码。</translation>
    </message>
    <message>
        <source>--close-after: the reason is longer than 123 bytes.</source>
        <translation>--close-after：原因超过 123 字节。</translation>
    </message>
    <message>
        <source>Run the embedded WebSocket server without a window.</source>
        <translation>无窗口运行内置 WebSocket 服务器。</translation>
    </message>
    <message>
        <source>HOST:PORT</source>
        <translation>主机:端口</translation>
    </message>
    <message>
        <source>echo, broadcast or silent (default echo).</source>
        <translation>echo、broadcast 或 silent（默认 echo）。</translation>
    </message>
    <message>
        <source>MODE</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>What is sent back; %m is the received message.</source>
        <translation>回送的内容；%m 表示收到的消息。</translation>
    </message>
    <message>
        <source>TEMPLATE</source>
        <translation>模板</translation>
    </message>
    <message>
        <source>Close each connection that long after it opens.</source>
        <translation>在每个连接打开这么久之后关闭它。</translation>
    </message>
    <message>
        <source>SECONDS[:CODE[:REASON]]</source>
        <translation>秒数[:代码[:原因]]</translation>
    </message>
    <message>
        <source>An accepted subprotocol (repeatable, preferred first).</source>
        <translation>接受的子协议（可重复，优先的在前）。</translation>
    </message>
    <message>
        <source>An allowed Origin (repeatable); others get HTTP 403.</source>
        <translation>允许的 Origin（可重复）；其他来源将收到 HTTP 403。</translation>
    </message>
    <message>
        <source>Largest incoming message (default 16 MiB); larger ones close with 1009.</source>
        <translation>最大传入消息（默认 16 MiB）；更大的消息会以 1009 关闭。</translation>
    </message>
    <message>
        <source>Certificate chain (PEM) or PKCS#12 bundle for wss.</source>
        <translation>用于 wss 的证书链（PEM）或 PKCS#12 包。</translation>
    </message>
    <message>
        <source>Private key (PEM) for wss.</source>
        <translation>用于 wss 的私钥（PEM）。</translation>
    </message>
    <message>
        <source>File whose first line is the key&apos;s (or bundle&apos;s) passphrase.</source>
        <translation>第一行为密钥（或证书包）口令的文件。</translation>
    </message>
    <message>
        <source>Serve wss with a localhost certificate generated in memory.</source>
        <translation>使用在内存中生成的 localhost 证书提供 wss 服务。</translation>
    </message>
    <message>
        <source>Write the JSON Lines event log here (&quot;-&quot;: stdout).</source>
        <translation>将 JSON Lines 事件日志写到此处（“-”：stdout）。</translation>
    </message>
    <message>
        <source>serve takes no arguments, got &quot;%1&quot;.</source>
        <translation>serve 不接受参数，实际收到“%1”。</translation>
    </message>
    <message>
        <source>--mode: expected echo, broadcast or silent, got &quot;%1&quot;.</source>
        <translation>--mode：应为 echo、broadcast 或 silent，实际为“%1”。</translation>
    </message>
    <message>
        <source>--max-message-size: &quot;%1&quot; is not a positive number of bytes.</source>
        <translation>--max-message-size：“%1”不是正的字节数。</translation>
    </message>
    <message>
        <source>--tls-self-signed cannot be combined with --tls-cert/--tls-key.</source>
        <translation>--tls-self-signed 不能与 --tls-cert/--tls-key 同时使用。</translation>
    </message>
    <message>
        <source>--tls-key-passphrase-file needs --tls-cert.</source>
        <translation>--tls-key-passphrase-file 需要 --tls-cert。</translation>
    </message>
    <message>
        <source>--tls-key needs --tls-cert.</source>
        <translation>--tls-key 需要 --tls-cert。</translation>
    </message>
    <message>
        <source>Cannot read the passphrase file %1: %2</source>
        <translation>无法读取口令文件 %1：%2</translation>
    </message>
    <message>
        <source>Cannot open the log %1: %2</source>
        <translation>无法打开日志 %1：%2</translation>
    </message>
    <message>
        <source>certificate SHA-256 fingerprint: %1</source>
        <translation>证书 SHA-256 指纹：%1</translation>
    </message>
    <message>
        <source>--%1: expected a number from %2 to %3.</source>
        <translation>--%1：应为 %2 到 %3 之间的数字。</translation>
    </message>
    <message>
        <source>Load generator: N connections each send a text message of SIZE bytes, wait for any reply (the round trip is one latency sample) and repeat, until M messages per connection or the duration is over. Prints a JSON summary to stdout.
Exit codes: 0 when every connection opened, 1 otherwise, 2 on usage errors.</source>
        <translation>负载生成器：N 个连接各自发送一条 SIZE 字节的文本消息，等待任意回复（一次往返即一个延迟样本）并重复，直到每个连接发送 M 条消息或时长结束。在 stdout 输出 JSON 摘要。
退出码：所有连接都已打开时为 0，否则为 1；用法错误时为 2。</translation>
    </message>
    <message>
        <source>ws:// or wss:// URL of an echo server</source>
        <translation>回显服务器的 ws:// 或 wss:// URL</translation>
    </message>
    <message>
        <source>Parallel connections (default 1, at most 1000).</source>
        <translation>并行连接数（默认 1，最多 1000）。</translation>
    </message>
    <message>
        <source>Messages per connection (default 100).</source>
        <translation>每个连接的消息数（默认 100）。</translation>
    </message>
    <message>
        <source>M</source>
        <translation>M</translation>
    </message>
    <message>
        <source>Message size in bytes (default 32).</source>
        <translation>消息大小，单位为字节（默认 32）。</translation>
    </message>
    <message>
        <source>Stop after this long (default 10).</source>
        <translation>运行这么久后停止（默认 10）。</translation>
    </message>
    <message>
        <source>Ignore certificate errors.</source>
        <translation>忽略证书错误。</translation>
    </message>
    <message>
        <source>bench needs exactly one URL (see &apos;sockpit bench --help&apos;).</source>
        <translation>bench 需要且只需要一个 URL（参见“sockpit bench --help”）。</translation>
    </message>
    <message>
        <source>Mutual TLS: wss clients must present a certificate from these CAs (PEM).</source>
        <translation>双向 TLS：wss 客户端必须出示由这些 CA 签发的证书（PEM）。</translation>
    </message>
    <message>
        <source>Refuse wss clients without a certificate (implied by --tls-client-ca).</source>
        <translation>拒绝没有证书的 wss 客户端（--tls-client-ca 已隐含此项）。</translation>
    </message>
    <message>
        <source>--tls-client-ca and --tls-require-client-cert need wss (--tls-cert or --tls-self-signed).</source>
        <translation>--tls-client-ca 和 --tls-require-client-cert 需要 wss（--tls-cert 或 --tls-self-signed）。</translation>
    </message>
    <message>
        <source>--tls-require-client-cert needs --tls-client-ca FILE.</source>
        <translation>--tls-require-client-cert 需要 --tls-client-ca 文件。</translation>
    </message>
    <message>
        <source>--listen: &quot;%1&quot; is not localhost or an IP address.</source>
        <translation>--listen：“%1”既不是 localhost 也不是 IP 地址。</translation>
    </message>
    <message>
        <source>Where to listen (default localhost:8080, that is 127.0.0.1 and ::1; port 0 picks a free one).</source>
        <translation>监听位置（默认 localhost:8080，即 127.0.0.1 和 ::1；端口 0 自动选择空闲端口）。</translation>
    </message>
    <message>
        <source>Seconds a client has, from the TCP accept, to complete the opening handshake (default 10).</source>
        <translation>客户端从 TCP 接受起完成开始握手的秒数（默认 10）。</translation>
    </message>
    <message>
        <source>Largest upgrade request head in bytes (default 16384); larger ones get 431.</source>
        <translation>升级请求头的最大字节数（默认 16384）；更大的请求得到 431。</translation>
    </message>
    <message>
        <source>Longest request or header line in bytes (default and most 8000); longer ones get 431.</source>
        <translation>请求行或头部行的最大字节数（默认且最多 8000）；更长的得到 431。</translation>
    </message>
    <message>
        <source>Most header fields in an upgrade request (default and most 100); more get 431.</source>
        <translation>升级请求中头部字段的最大数量（默认且最多 100）；更多的得到 431。</translation>
    </message>
    <message>
        <source>COUNT</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>--%1: &quot;%2&quot; is not a number from %3 to %4.</source>
        <translation>--%1：“%2”不是 %3 到 %4 之间的数字。</translation>
    </message>
    <message>
        <source>--max-header-fields: &quot;%1&quot; is not a number from 1 to %2.</source>
        <translation>--max-header-fields：“%1”不是 1 到 %2 之间的数字。</translation>
    </message>
    <message>
        <source>--handshake-timeout: &quot;%1&quot; is not a number of seconds from 0.1 to 3600.</source>
        <translation>--handshake-timeout：“%1”不是 0.1 到 3600 之间的秒数。</translation>
    </message>
    <message>
        <source>Open one WebSocket connection without a window (like wscat -c).
Received text messages are printed to stdout, one a line (binary as hex); status lines go to stderr.
When it ends: with --expect N, after N received messages; with --stdin, when standard input ends; otherwise when the server closes, on SIGINT/SIGTERM (close 1001), or when --timeout elapses (then it closes with --close and exits 0).
Exit codes: 0 after a closing handshake, 1 on a connection, handshake or TLS failure, an abnormal end (1006), a connection the client failed because the server broke the protocol (1002, 1007) or sent a message over --max-message-size (1009), or --expect not met in time, 2 on usage errors.</source>
        <translation>无窗口打开一个 WebSocket 连接（类似 wscat -c）。
收到的文本消息输出到 stdout，每条一行（二进制以十六进制显示）；状态行输出到 stderr。
结束条件：使用 --expect N 时，收到 N 条消息后；使用 --stdin 时，标准输入结束时；否则在服务器关闭时、收到 SIGINT/SIGTERM 时（以 1001 关闭），或 --timeout 到期时（此时以 --close 关闭并以 0 退出）。
退出码：关闭握手后为 0；连接、握手或 TLS 失败、异常结束（1006）、因服务器违反协议（1002、1007）或发送超过 --max-message-size 的消息（1009）而由客户端终止连接，或未能及时满足 --expect 时为 1；用法错误时为 2。</translation>
    </message>
    <message>
        <source>Largest message accepted from the server, in bytes (default 16777216, 16 MiB); a larger one closes the connection with 1009.</source>
        <translation>从服务器接受的最大消息字节数（默认 16777216，即 16 MiB）；更大的消息会以 1009 关闭连接。</translation>
    </message>
    <message>
        <source>--max-message-size: expected a number of bytes from 1 to %1.</source>
        <translation>--max-message-size：应为 1 到 %1 之间的字节数。</translation>
    </message>
</context>
<context>
    <name>sockpit::client::WireTap</name>
    <message>
        <source>The wire tap received an oversized proxy request.</source>
        <translation>线路监听器收到了过大的代理请求。</translation>
    </message>
    <message>
        <source>The wire tap received a request it does not understand.</source>
        <translation>线路监听器收到了无法理解的请求。</translation>
    </message>
    <message>
        <source>Connection refused by %1: nothing is listening there.</source>
        <translation>%1 拒绝连接：那里没有任何程序在监听。</translation>
    </message>
    <message>
        <source>The host name &quot;%1&quot; could not be resolved.</source>
        <translation>无法解析主机名“%1”。</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2.</source>
        <translation>无法连接到 %1：%2。</translation>
    </message>
    <message>
        <source>Timed out after %1 ms while connecting to %2.</source>
        <translation>连接 %2 时在 %1 毫秒后超时。</translation>
    </message>
    <message>
        <source>no TLS library is available to Qt</source>
        <translation>Qt 没有可用的 TLS 库</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>与 %1 的 TLS 握手失败：%2</translation>
    </message>
    <message>
        <source>the server&apos;s Close frame has a 1-byte body, too short for a status code (RFC 6455 section 5.5.1)</source>
        <translation>服务器的 Close 帧主体只有 1 个字节，不足以容纳状态码（RFC 6455 第 5.5.1 节）</translation>
    </message>
    <message>
        <source>the server&apos;s Close frame carries close code %1, which must not be sent (RFC 6455 section 7.4)</source>
        <translation>服务器的 Close 帧带有不得发送的关闭码 %1（RFC 6455 第 7.4 节）</translation>
    </message>
    <message>
        <source>the reason in the server&apos;s Close frame is not valid UTF-8 (RFC 6455 section 5.5.1)</source>
        <translation>服务器 Close 帧中的原因不是有效的 UTF-8（RFC 6455 第 5.5.1 节）</translation>
    </message>
    <message>
        <source>the bytes %1</source>
        <translation>字节 %1</translation>
    </message>
    <message>
        <source>The server&apos;s HTTP response head is larger than %1 bytes.</source>
        <translation>服务器的 HTTP 响应头超过 %1 字节。</translation>
    </message>
    <message>
        <source>The server&apos;s answer is not a valid HTTP response head; its first line is %1.</source>
        <translation>服务器的应答不是有效的 HTTP 响应头；其第一行是 %1。</translation>
    </message>
    <message>
        <source>The server&apos;s answer is not HTTP: it began with %1 where a status line such as &quot;HTTP/1.1 101 Switching Protocols&quot; was expected.</source>
        <translation>服务器的应答不是 HTTP：它以 %1 开头，而此处应为类似“HTTP/1.1 101 Switching Protocols”的状态行。</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects the extension &quot;%1&quot;, which the client did not offer (RFC 6455 section 4.1).</source>
        <translation>服务器的握手响应选择了扩展“%1”，而客户端并未提供该扩展（RFC 6455 第 4.1 节）。</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects %1 subprotocols (&quot;%2&quot;); it must select one of those requested (RFC 6455 section 4.1).</source>
        <translation>服务器的握手响应选择了 %1 个子协议（“%2”）；它必须从请求的子协议中选择一个（RFC 6455 第 4.1 节）。</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects the subprotocol &quot;%1&quot;, which the client did not request (RFC 6455 section 4.1).</source>
        <translation>服务器的握手响应选择了子协议“%1”，而客户端并未请求该子协议（RFC 6455 第 4.1 节）。</translation>
    </message>
    <message>
        <source>the server sent a masked frame (RFC 6455 section 5.1)</source>
        <translation>服务器发送了掩码帧（RFC 6455 第 5.1 节）</translation>
    </message>
    <message>
        <source>The server&apos;s answer ended before its HTTP head was complete; it began with %1.</source>
        <translation>服务器的应答在其 HTTP 头完整之前就结束了；它以 %1 开头。</translation>
    </message>
</context>
<context>
    <name>sockpit::frames::FrameDecoder</name>
    <message>
        <source>RSV bits set without a negotiated extension (RFC 6455 section 5.2)</source>
        <translation>在未协商扩展的情况下设置了 RSV 位（RFC 6455 第 5.2 节）</translation>
    </message>
    <message>
        <source>reserved opcode 0x%1 (RFC 6455 section 5.2)</source>
        <translation>保留的操作码 0x%1（RFC 6455 第 5.2 节）</translation>
    </message>
    <message>
        <source>fragmented control frame (RFC 6455 section 5.5)</source>
        <translation>分片的控制帧（RFC 6455 第 5.5 节）</translation>
    </message>
    <message>
        <source>control frame payload longer than 125 bytes (RFC 6455 section 5.5)</source>
        <translation>控制帧负载超过 125 字节（RFC 6455 第 5.5 节）</translation>
    </message>
    <message>
        <source>payload length %1 not minimally encoded in 16 bits (RFC 6455 section 5.2)</source>
        <translation>负载长度 %1 未按最小方式以 16 位编码（RFC 6455 第 5.2 节）</translation>
    </message>
    <message>
        <source>64-bit payload length with the most significant bit set (RFC 6455 section 5.2)</source>
        <translation>64 位负载长度的最高有效位被置位（RFC 6455 第 5.2 节）</translation>
    </message>
    <message>
        <source>payload length %1 not minimally encoded in 64 bits (RFC 6455 section 5.2)</source>
        <translation>负载长度 %1 未按最小方式以 64 位编码（RFC 6455 第 5.2 节）</translation>
    </message>
    <message>
        <source>frame payload of %1 bytes exceeds the limit of %2 bytes (RFC 6455 section 7.4.1, 1009)</source>
        <translation>%1 字节的帧负载超过 %2 字节的上限（RFC 6455 第 7.4.1 节，1009）</translation>
    </message>
</context>
<context>
    <name>sockpit::frames::MessageAssembler</name>
    <message>
        <source>continuation frame without a message to continue (RFC 6455 section 5.4)</source>
        <translation>没有可延续消息的延续帧（RFC 6455 第 5.4 节）</translation>
    </message>
    <message>
        <source>new data frame while a fragmented message is unfinished (RFC 6455 section 5.4)</source>
        <translation>分片消息尚未完成时出现新的数据帧（RFC 6455 第 5.4 节）</translation>
    </message>
    <message>
        <source>message larger than the limit of %1 bytes (RFC 6455 section 7.4.1, 1009)</source>
        <translation>消息超过 %1 字节的上限（RFC 6455 第 7.4.1 节，1009）</translation>
    </message>
    <message>
        <source>text message is not valid UTF-8 (RFC 6455 section 8.1)</source>
        <translation>文本消息不是有效的 UTF-8（RFC 6455 第 8.1 节）</translation>
    </message>
</context>
<context>
    <name>sockpit::protocol</name>
    <message>
        <source>The request is empty.</source>
        <translation>请求为空。</translation>
    </message>
    <message>
        <source>The request line is not &quot;METHOD TARGET HTTP/1.1&quot;.</source>
        <translation>请求行不是“METHOD TARGET HTTP/1.1”格式。</translation>
    </message>
    <message>
        <source>The request method is not a valid token.</source>
        <translation>请求方法不是有效的标记。</translation>
    </message>
    <message>
        <source>The request target contains white space.</source>
        <translation>请求目标包含空白字符。</translation>
    </message>
    <message>
        <source>The request line does not end with an HTTP version.</source>
        <translation>请求行没有以 HTTP 版本结尾。</translation>
    </message>
    <message>
        <source>A header field is folded over several lines.</source>
        <translation>某个头字段被折叠到了多行。</translation>
    </message>
    <message>
        <source>A header line has no name followed by a colon.</source>
        <translation>某个头行缺少后跟冒号的名称。</translation>
    </message>
    <message>
        <source>A header name is not a valid token.</source>
        <translation>某个头名称不是有效的标记。</translation>
    </message>
    <message>
        <source>A WebSocket handshake must use the GET method.</source>
        <translation>WebSocket 握手必须使用 GET 方法。</translation>
    </message>
    <message>
        <source>A WebSocket handshake needs HTTP/1.1 or later.</source>
        <translation>WebSocket 握手需要 HTTP/1.1 或更高版本。</translation>
    </message>
    <message>
        <source>This is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket).</source>
        <translation>这是一个 WebSocket 端点：请使用 WebSocket 客户端连接（Upgrade: websocket）。</translation>
    </message>
    <message>
        <source>The handshake has no Host header.</source>
        <translation>握手缺少 Host 头。</translation>
    </message>
    <message>
        <source>The Upgrade header does not ask for &quot;websocket&quot;.</source>
        <translation>Upgrade 头没有请求“websocket”。</translation>
    </message>
    <message>
        <source>The Connection header does not contain &quot;Upgrade&quot;.</source>
        <translation>Connection 头不包含“Upgrade”。</translation>
    </message>
    <message>
        <source>The handshake has no Sec-WebSocket-Key header.</source>
        <translation>握手缺少 Sec-WebSocket-Key 头。</translation>
    </message>
    <message>
        <source>The Sec-WebSocket-Key is not the base64 of 16 bytes.</source>
        <translation>Sec-WebSocket-Key 不是 16 字节数据的 base64 编码。</translation>
    </message>
    <message>
        <source>The handshake has no Sec-WebSocket-Version header.</source>
        <translation>握手缺少 Sec-WebSocket-Version 头。</translation>
    </message>
    <message>
        <source>WebSocket version %1 is not supported; this server speaks version 13.</source>
        <translation>不支持 WebSocket 版本 %1；此服务器使用版本 13。</translation>
    </message>
    <message>
        <source>The origin %1 is not allowed.</source>
        <translation>不允许来源 %1。</translation>
    </message>
    <message>
        <source>The handshake has no Origin header and only listed origins are allowed.</source>
        <translation>握手缺少 Origin 头，而只允许列出的来源。</translation>
    </message>
    <message>
        <source>The request head is larger than %1 bytes.</source>
        <translation>请求头部超过 %1 字节。</translation>
    </message>
    <message>
        <source>A line of the request is longer than %1 bytes.</source>
        <translation>请求中有一行超过 %1 字节。</translation>
    </message>
    <message>
        <source>This is a plain ws:// server, and the client began a TLS handshake: connect with ws://, or serve wss:// with a certificate.</source>
        <translation>这是普通的 ws:// 服务器，而客户端开始了 TLS 握手：请用 ws:// 连接，或使用证书提供 wss:// 服务。</translation>
    </message>
    <message>
        <source>The request does not start with an HTTP method.</source>
        <translation>请求没有以 HTTP 方法开头。</translation>
    </message>
    <message>
        <source>The request&apos;s lines must end with CR LF.</source>
        <translation>请求的每一行必须以 CR LF 结尾。</translation>
    </message>
    <message>
        <source>The request has more than %1 header fields.</source>
        <translation>请求的头部字段超过 %1 个。</translation>
    </message>
    <message>
        <source>This server speaks HTTP/1.1; the request says %1.</source>
        <translation>此服务器使用 HTTP/1.1；请求声明的是 %1。</translation>
    </message>
    <message>
        <source>The request target %1 is not a path such as /chat.</source>
        <translation>请求目标 %1 不是 /chat 这样的路径。</translation>
    </message>
</context>
</TS>
