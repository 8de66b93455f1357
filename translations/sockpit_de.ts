<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>CloseCodes</name>
    <message>
        <source>Normal Closure</source>
        <translation>Normales Schließen</translation>
    </message>
    <message>
        <source>The purpose of the connection has been fulfilled.</source>
        <translation>Der Zweck der Verbindung ist erfüllt.</translation>
    </message>
    <message>
        <source>Going Away</source>
        <translation>Verabschiedung</translation>
    </message>
    <message>
        <source>An endpoint is going away, such as a server shutting down or a browser leaving the page.</source>
        <translation>Ein Endpunkt geht, etwa ein Server, der herunterfährt, oder ein Browser, der die Seite verlässt.</translation>
    </message>
    <message>
        <source>Protocol Error</source>
        <translation>Protokollfehler</translation>
    </message>
    <message>
        <source>An endpoint received a frame that breaks the protocol.</source>
        <translation>Ein Endpunkt hat einen Frame empfangen, der gegen das Protokoll verstößt.</translation>
    </message>
    <message>
        <source>Unsupported Data</source>
        <translation>Nicht unterstützte Daten</translation>
    </message>
    <message>
        <source>An endpoint received a type of data it cannot accept (for example binary when it only understands text).</source>
        <translation>Ein Endpunkt hat eine Art von Daten empfangen, die er nicht annehmen kann (zum Beispiel binäre, wenn er nur Text versteht).</translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation>Reserviert</translation>
    </message>
    <message>
        <source>Reserved; its meaning might be defined in the future.</source>
        <translation>Reserviert; die Bedeutung wird vielleicht künftig festgelegt.</translation>
    </message>
    <message>
        <source>No Status Received</source>
        <translation>Kein Status empfangen</translation>
    </message>
    <message>
        <source>The Close frame carried no status code. Never sent on the wire.</source>
        <translation>Der Close-Frame enthielt keinen Statuscode. Wird nie über die Leitung gesendet.</translation>
    </message>
    <message>
        <source>Abnormal Closure</source>
        <translation>Abnormales Schließen</translation>
    </message>
    <message>
        <source>The connection ended without a Close frame (dropped, reset or timed out). Never sent on the wire.</source>
        <translation>Die Verbindung endete ohne Close-Frame (abgebrochen, zurückgesetzt oder Zeitüberschreitung). Wird nie über die Leitung gesendet.</translation>
    </message>
    <message>
        <source>Invalid Frame Payload Data</source>
        <translation>Ungültige Frame-Nutzdaten</translation>
    </message>
    <message>
        <source>A message&apos;s data was not consistent with its type, such as text that is not valid UTF-8.</source>
        <translation>Die Daten einer Nachricht passten nicht zu ihrem Typ, etwa Text, der kein gültiges UTF-8 ist.</translation>
    </message>
    <message>
        <source>Policy Violation</source>
        <translation>Richtlinienverstoß</translation>
    </message>
    <message>
        <source>A message violated the endpoint&apos;s policy.</source>
        <translation>Eine Nachricht hat gegen die Richtlinie des Endpunkts verstoßen.</translation>
    </message>
    <message>
        <source>Message Too Big</source>
        <translation>Nachricht zu groß</translation>
    </message>
    <message>
        <source>A message was too big for the endpoint to process.</source>
        <translation>Eine Nachricht war zu groß, um vom Endpunkt verarbeitet zu werden.</translation>
    </message>
    <message>
        <source>Mandatory Extension</source>
        <translation>Erforderliche Erweiterung</translation>
    </message>
    <message>
        <source>The client expected the server to negotiate an extension that it did not.</source>
        <translation>Der Client erwartete, dass der Server eine Erweiterung aushandelt, was dieser nicht tat.</translation>
    </message>
    <message>
        <source>Internal Error</source>
        <translation>Interner Fehler</translation>
    </message>
    <message>
        <source>The server met an unexpected condition that kept it from fulfilling the request.</source>
        <translation>Der Server stieß auf einen unerwarteten Zustand, der ihn an der Erfüllung der Anfrage hinderte.</translation>
    </message>
    <message>
        <source>Service Restart</source>
        <translation>Dienst-Neustart</translation>
    </message>
    <message>
        <source>The service is restarting.</source>
        <translation>Der Dienst wird neu gestartet.</translation>
    </message>
    <message>
        <source>Try Again Later</source>
        <translation>Später erneut versuchen</translation>
    </message>
    <message>
        <source>The service is overloaded or temporarily unavailable; try again later.</source>
        <translation>Der Dienst ist überlastet oder vorübergehend nicht verfügbar; versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <source>Bad Gateway</source>
        <translation>Fehlerhaftes Gateway</translation>
    </message>
    <message>
        <source>A gateway or proxy received an invalid response from the upstream server.</source>
        <translation>Ein Gateway oder Proxy hat vom vorgelagerten Server eine ungültige Antwort erhalten.</translation>
    </message>
    <message>
        <source>TLS Handshake Failure</source>
        <translation>TLS-Handshake fehlgeschlagen</translation>
    </message>
    <message>
        <source>The TLS handshake failed, for example the certificate could not be verified. Never sent on the wire.</source>
        <translation>Der TLS-Handshake ist fehlgeschlagen, zum Beispiel weil das Zertifikat nicht überprüft werden konnte. Wird nie über die Leitung gesendet.</translation>
    </message>
</context>
<context>
    <name>EventInspector</name>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
</context>
<context>
    <name>HandshakeView</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Hex: &quot;%1&quot; at position %2 is not a hex digit.</source>
        <translation>Hex: „%1“ an Position %2 ist keine Hexadezimalziffer.</translation>
    </message>
    <message>
        <source>Hex: an odd number of digits (%1); each byte needs two.</source>
        <translation>Hex: eine ungerade Anzahl von Ziffern (%1); jedes Byte braucht zwei.</translation>
    </message>
    <message>
        <source>Base64: the text is not valid base64.</source>
        <translation>Base64: Der Text ist kein gültiges Base64.</translation>
    </message>
    <message>
        <source>JSON error at line %1, column %2 (offset %3): %4</source>
        <translation>JSON-Fehler in Zeile %1, Spalte %2 (Position %3): %4</translation>
    </message>
    <message>
        <source>unexpected character</source>
        <translation>unerwartetes Zeichen</translation>
    </message>
</context>
<context>
    <name>Tls</name>
    <message>
        <source>No file was chosen.</source>
        <translation>Es wurde keine Datei gewählt.</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>Die Datei %1 existiert nicht.</translation>
    </message>
    <message>
        <source>%1 is a folder, not a file.</source>
        <translation>%1 ist ein Ordner, keine Datei.</translation>
    </message>
    <message>
        <source>%1 is too large (%2 bytes) to be a certificate or key file.</source>
        <translation>%1 ist zu groß (%2 Bytes) für eine Zertifikats- oder Schlüsseldatei.</translation>
    </message>
    <message>
        <source>The file %1 cannot be read: %2.</source>
        <translation>Die Datei %1 kann nicht gelesen werden: %2.</translation>
    </message>
    <message>
        <source>%1 holds a private key, not a certificate. Choose the certificate file (&quot;-----BEGIN CERTIFICATE-----&quot;) there.</source>
        <translation>%1 enthält einen privaten Schlüssel, kein Zertifikat. Wählen Sie dort die Zertifikatsdatei („-----BEGIN CERTIFICATE-----“).</translation>
    </message>
    <message>
        <source>%1 has a certificate block that cannot be decoded; the file is damaged.</source>
        <translation>%1 enthält einen Zertifikatsblock, der nicht dekodiert werden kann; die Datei ist beschädigt.</translation>
    </message>
    <message>
        <source>%1 is not a certificate: expected PEM (&quot;-----BEGIN CERTIFICATE-----&quot;), DER or a PKCS#12 bundle.</source>
        <translation>%1 ist kein Zertifikat: erwartet wird PEM („-----BEGIN CERTIFICATE-----“), DER oder ein PKCS#12-Bündel.</translation>
    </message>
    <message>
        <source>The private key in %1 is of a kind that cannot be used here.</source>
        <translation>Der private Schlüssel in %1 ist von einer Art, die hier nicht verwendet werden kann.</translation>
    </message>
    <message>
        <source>The private key in %1 is encrypted; enter its passphrase.</source>
        <translation>Der private Schlüssel in %1 ist verschlüsselt; geben Sie seine Passphrase ein.</translation>
    </message>
    <message>
        <source>The passphrase for the private key in %1 is wrong.</source>
        <translation>Die Passphrase für den privaten Schlüssel in %1 ist falsch.</translation>
    </message>
    <message>
        <source>No key file was chosen and %1 holds no private key. Choose the key file too.</source>
        <translation>Es wurde keine Schlüsseldatei gewählt, und %1 enthält keinen privaten Schlüssel. Wählen Sie auch die Schlüsseldatei.</translation>
    </message>
    <message>
        <source>%1 holds a certificate, not a private key. Choose the key file (&quot;-----BEGIN PRIVATE KEY-----&quot;) there.</source>
        <translation>%1 enthält ein Zertifikat, keinen privaten Schlüssel. Wählen Sie dort die Schlüsseldatei („-----BEGIN PRIVATE KEY-----“).</translation>
    </message>
    <message>
        <source>%1 is not a private key: expected PEM (&quot;-----BEGIN PRIVATE KEY-----&quot;) or DER.</source>
        <translation>%1 ist kein privater Schlüssel: erwartet wird PEM („-----BEGIN PRIVATE KEY-----“) oder DER.</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 is protected by a password; enter it.</source>
        <translation>Das PKCS#12-Bündel %1 ist durch ein Passwort geschützt; geben Sie es ein.</translation>
    </message>
    <message>
        <source>The password for the PKCS#12 bundle %1 is wrong.</source>
        <translation>Das Passwort für das PKCS#12-Bündel %1 ist falsch.</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 cannot be opened: it uses an encryption this OpenSSL does not offer. Export it again with AES (openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC).</source>
        <translation>Das PKCS#12-Bündel %1 kann nicht geöffnet werden: Es verwendet eine Verschlüsselung, die dieses OpenSSL nicht anbietet. Exportieren Sie es erneut mit AES (openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC).</translation>
    </message>
    <message>
        <source>The certificate in %1 expired on %2.</source>
        <translation>Das Zertifikat in %1 ist am %2 abgelaufen.</translation>
    </message>
    <message>
        <source>The certificate in %1 is not valid before %2 (check the computer&apos;s clock).</source>
        <translation>Das Zertifikat in %1 ist erst ab %2 gültig (prüfen Sie die Uhr des Computers).</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 holds no certificate.</source>
        <translation>Das PKCS#12-Bündel %1 enthält kein Zertifikat.</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 holds no private key. Choose a key file too.</source>
        <translation>Das PKCS#12-Bündel %1 enthält keinen privaten Schlüssel. Wählen Sie auch eine Schlüsseldatei.</translation>
    </message>
    <message>
        <source>The private key in %1 does not belong to its certificate.</source>
        <translation>Der private Schlüssel in %1 gehört nicht zu seinem Zertifikat.</translation>
    </message>
    <message>
        <source>The private key in %1 does not belong to the certificate in %2.</source>
        <translation>Der private Schlüssel in %1 gehört nicht zum Zertifikat in %2.</translation>
    </message>
    <message>
        <source>The certificate could not be made (%1: %2).</source>
        <translation>Das Zertifikat konnte nicht erstellt werden (%1: %2).</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>kein Grund angegeben</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2.</source>
        <translation>%1 kann nicht geschrieben werden: %2.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is neither a host name nor an IP address.</source>
        <translation>„%1“ ist weder ein Hostname noch eine IP-Adresse.</translation>
    </message>
    <message>
        <source>The private key could not be encrypted for %1.</source>
        <translation>Der private Schlüssel konnte für %1 nicht verschlüsselt werden.</translation>
    </message>
    <message>
        <source>A secure server needs a certificate: choose a certificate file (and its key), or a self-signed certificate.</source>
        <translation>Ein sicherer Server braucht ein Zertifikat: Wählen Sie eine Zertifikatsdatei (und ihren Schlüssel) oder ein selbstsigniertes Zertifikat.</translation>
    </message>
    <message>
        <source>Requiring client certificates needs the file of the CA certificates that sign them.</source>
        <translation>Um Client-Zertifikate zu verlangen, wird die Datei der CA-Zertifikate benötigt, die sie signieren.</translation>
    </message>
    <message>
        <source>A client key was chosen without its certificate: choose the client certificate file too.</source>
        <translation>Ein Client-Schlüssel wurde ohne sein Zertifikat gewählt: Wählen Sie auch die Client-Zertifikatsdatei.</translation>
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
        <translation>Aufruf:
  sockpit [--lang CODE] [WORKSPACE]   das Fenster öffnen (WORKSPACE: ein JSON-Lines-Protokoll)
  sockpit serve [Optionen]            den eingebetteten Server ohne Fenster betreiben
  sockpit connect URL [Optionen]      ein Client ohne Fenster
  sockpit bench URL [Optionen]        Lastgenerator
  sockpit --version | --help

„sockpit BEFEHL --help“ zeigt die Optionen eines Befehls.
</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>Diese Hilfe zeigen.</translation>
    </message>
    <message>
        <source>Usage: %1</source>
        <translation>Aufruf: %1</translation>
    </message>
    <message>
        <source>unknown command &apos;%1&apos; (and no such file); the commands are serve, connect and bench: see &apos;sockpit --help&apos;.</source>
        <translation>unbekannter Befehl „%1“ (und keine solche Datei); die Befehle sind serve, connect und bench: siehe „sockpit --help“.</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientSession</name>
    <message>
        <source>(generated by Qt, not observed)</source>
        <translation>(von Qt erzeugt, nicht beobachtet)</translation>
    </message>
    <message>
        <source>The server sent an invalid frame: %1 (close code %2).</source>
        <translation>Der Server hat einen ungültigen Frame gesendet: %1 (Close-Code %2).</translation>
    </message>
    <message>
        <source>An outgoing frame could not be decoded: %1 (close code %2).</source>
        <translation>Ein ausgehender Frame konnte nicht dekodiert werden: %1 (Close-Code %2).</translation>
    </message>
    <message>
        <source>Over wss the wire is encrypted: the handshake request shown is the one Qt was asked to send, and the response headers and frame boundaries could not be observed.</source>
        <translation>Bei wss ist die Leitung verschlüsselt: Die gezeigte Handshake-Anfrage ist die, die Qt senden sollte; Antwort-Header und Frame-Grenzen konnten nicht beobachtet werden.</translation>
    </message>
    <message>
        <source> (certificate: %1)</source>
        <translation> (Zertifikat: %1)</translation>
    </message>
    <message>
        <source>Certificate verification is disabled for this connection by the user: the errors above were ignored.</source>
        <translation>Die Zertifikatsprüfung ist für diese Verbindung vom Benutzer abgeschaltet: Die obigen Fehler wurden ignoriert.</translation>
    </message>
    <message>
        <source>The server rejected the WebSocket handshake with HTTP %1 %2: %3.</source>
        <translation>Der Server hat den WebSocket-Handshake mit HTTP %1 %2 abgelehnt: %3.</translation>
    </message>
    <message>
        <source>The host name &quot;%1&quot; could not be resolved.</source>
        <translation>Der Hostname „%1“ konnte nicht aufgelöst werden.</translation>
    </message>
    <message>
        <source>The server rejected the WebSocket handshake: %1</source>
        <translation>Der Server hat den WebSocket-Handshake abgelehnt: %1</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response was not accepted: %1</source>
        <translation>Die Handshake-Antwort des Servers wurde nicht akzeptiert: %1</translation>
    </message>
    <message>
        <source>Connection refused by %1: nothing is listening there.</source>
        <translation>Verbindung von %1 abgelehnt: Dort lauscht nichts.</translation>
    </message>
    <message>
        <source>Timed out while connecting to %1.</source>
        <translation>Zeitüberschreitung beim Verbinden mit %1.</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>Der TLS-Handshake mit %1 ist fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>%1 closed the connection before completing the WebSocket handshake.</source>
        <translation>%1 hat die Verbindung vor Abschluss des WebSocket-Handshakes geschlossen.</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2</source>
        <translation>Verbindung mit %1 nicht möglich: %2</translation>
    </message>
    <message>
        <source>The connection ended before the WebSocket handshake completed.</source>
        <translation>Die Verbindung endete vor Abschluss des WebSocket-Handshakes.</translation>
    </message>
    <message>
        <source>abnormal closure</source>
        <translation>abnormales Schließen</translation>
    </message>
    <message>
        <source>abnormal closure (aborted locally)</source>
        <translation>abnormales Schließen (lokal abgebrochen)</translation>
    </message>
    <message>
        <source>abnormal closure: the server did not answer the close frame</source>
        <translation>abnormales Schließen: Der Server hat den Close-Frame nicht beantwortet</translation>
    </message>
    <message>
        <source>The connection was failed locally with close code %1: %2</source>
        <translation>Die Verbindung wurde lokal mit Close-Code %1 abgebrochen: %2</translation>
    </message>
    <message>
        <source>Timed out after %1 ms: %2 accepted the connection but did not answer the WebSocket handshake.</source>
        <translation>Zeitüberschreitung nach %1 ms: %2 hat die Verbindung angenommen, aber den WebSocket-Handshake nicht beantwortet.</translation>
    </message>
    <message>
        <source>Timed out after %1 ms while connecting to %2.</source>
        <translation>Zeitüberschreitung nach %1 ms beim Verbinden mit %2.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a WebSocket URL: it must start with ws:// or wss://.</source>
        <translation>„%1“ ist keine WebSocket-URL: Sie muss mit ws:// oder wss:// beginnen.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has no host name.</source>
        <translation>„%1“ hat keinen Hostnamen.</translation>
    </message>
    <message>
        <source>The wire tap could not listen (%1): the handshake response and frames will not be observed.</source>
        <translation>Der Leitungsabgriff konnte nicht lauschen (%1): Handshake-Antwort und Frames werden nicht beobachtet.</translation>
    </message>
    <message>
        <source>The connection attempt was cancelled.</source>
        <translation>Der Verbindungsversuch wurde abgebrochen.</translation>
    </message>
    <message>
        <source>The internal TLS hop to the wire tap was not trusted: %1</source>
        <translation>Der internen TLS-Strecke zum Leitungsabgriff wurde nicht vertraut: %1</translation>
    </message>
    <message>
        <source>The internal TLS hop between Qt and the wire tap failed: %1</source>
        <translation>Die interne TLS-Strecke zwischen Qt und dem Leitungsabgriff ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>It hung up right after the TLS handshake without an HTTP answer: a server that requires a client certificate does this when it refuses the one presented, or its absence.</source>
        <translation>Die Gegenstelle hat die Verbindung direkt nach dem TLS-Handshake ohne HTTP-Antwort getrennt: So verhält sich ein Server, der ein Client-Zertifikat verlangt, wenn er das vorgelegte Zertifikat (oder dessen Fehlen) ablehnt.</translation>
    </message>
    <message>
        <source>The wire tap could not make a certificate for &quot;%1&quot; (%2), so it relays the encrypted bytes without reading them.</source>
        <translation>Der Leitungsabgriff konnte kein Zertifikat für „%1“ erstellen (%2) und leitet die verschlüsselten Bytes daher ungelesen weiter.</translation>
    </message>
    <message>
        <source>no body</source>
        <translation>kein Inhalt</translation>
    </message>
    <message>
        <source>HTTP %1 %2: not a WebSocket endpoint</source>
        <translation>HTTP %1 %2: kein WebSocket-Endpunkt</translation>
    </message>
    <message>
        <source>The server sent a message over the limit: %1. The connection was failed with close code 1009.</source>
        <translation>Der Server hat eine Nachricht über dem Limit gesendet: %1. Die Verbindung wurde mit Close-Code 1009 abgebrochen.</translation>
    </message>
    <message>
        <source>The server violated the protocol: %1. The connection was failed with close code %2.</source>
        <translation>Der Server hat das Protokoll verletzt: %1. Die Verbindung wurde mit Close-Code %2 abgebrochen.</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientTab</name>
    <message>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Trusted CA Certificates</source>
        <translation>Vertrauenswürdige CA-Zertifikate</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM-Dateien (*.pem *.crt *.cer);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Client Certificate</source>
        <translation>Client-Zertifikat</translation>
    </message>
    <message>
        <source>Client Private Key</source>
        <translation>Privater Client-Schlüssel</translation>
    </message>
    <message>
        <source>PEM keys (*.pem *.key);;All files (*)</source>
        <translation>PEM-Schlüssel (*.pem *.key);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Ignore certificate errors (unsafe)</source>
        <translation>Zertifikatsfehler ignorieren (unsicher)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Ping</source>
        <translation>Ping</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>The WebSocket URL to connect to (ws:// or wss://)</source>
        <translation>Die WebSocket-URL, mit der verbunden wird (ws:// oder wss://)</translation>
    </message>
    <message>
        <source>chat, superchat</source>
        <translation>chat, superchat</translation>
    </message>
    <message>
        <source>http://localhost (none when empty)</source>
        <translation>http://localhost (keiner, wenn leer)</translation>
    </message>
    <message>
        <source>Connect even when the server&apos;s certificate cannot be verified. The tab and the log say so.</source>
        <translation>Auch verbinden, wenn das Zertifikat des Servers nicht überprüft werden kann. Tab und Protokoll weisen darauf hin.</translation>
    </message>
    <message>
        <source>Send the message (Ctrl+Enter)</source>
        <translation>Nachricht senden (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Send a Ping; the Pong&apos;s round trip time appears in the log</source>
        <translation>Ein Ping senden; die Umlaufzeit des Pongs erscheint im Protokoll</translation>
    </message>
    <message>
        <source>reason (optional)</source>
        <translation>Grund (optional)</translation>
    </message>
    <message>
        <source>Start the closing handshake with this code and reason</source>
        <translation>Den schließenden Handshake mit diesem Code und Grund beginnen</translation>
    </message>
    <message>
        <source>Headers</source>
        <translation>Header</translation>
    </message>
    <message>
        <source>Handshake</source>
        <translation>Handshake</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <source>Close:</source>
        <translation>Schließen:</translation>
    </message>
    <message>
        <source>Subprotocols:</source>
        <translation>Subprotokolle:</translation>
    </message>
    <message>
        <source>Origin:</source>
        <translation>Origin:</translation>
    </message>
    <message>
        <source>Trusted CA:</source>
        <translation>Vertrauenswürdige CA:</translation>
    </message>
    <message>
        <source>Client cert:</source>
        <translation>Client-Zertifikat:</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>Schlüssel:</translation>
    </message>
    <message>
        <source>Key passphrase:</source>
        <translation>Schlüssel-Passphrase:</translation>
    </message>
    <message>
        <source>This is not a valid URL: %1</source>
        <translation>Dies ist keine gültige URL: %1</translation>
    </message>
    <message>
        <source>The URL needs a scheme: ws:// or wss://.</source>
        <translation>Die URL braucht ein Schema: ws:// oder wss://.</translation>
    </message>
    <message>
        <source>The scheme must be ws:// or wss://, not %1://.</source>
        <translation>Das Schema muss ws:// oder wss:// sein, nicht %1://.</translation>
    </message>
    <message>
        <source>A WebSocket URL cannot have a fragment (#…) (RFC 6455 section 3).</source>
        <translation>Eine WebSocket-URL darf kein Fragment (#…) haben (RFC 6455, Abschnitt 3).</translation>
    </message>
    <message>
        <source>New client</source>
        <translation>Neuer Client</translation>
    </message>
    <message>
        <source>The close reason is %1 bytes of UTF-8; a Close frame allows at most %2 (RFC 6455 section 5.5).</source>
        <translation>Der Schließgrund ist %1 Bytes UTF-8 lang; ein Close-Frame erlaubt höchstens %2 (RFC 6455, Abschnitt 5.5).</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1 …</translation>
    </message>
    <message>
        <source>Open (connection %1)</source>
        <translation>Offen (Verbindung %1)</translation>
    </message>
    <message>
        <source>Open (connection %1, subprotocol %2)</source>
        <translation>Offen (Verbindung %1, Subprotokoll %2)</translation>
    </message>
    <message>
        <source>Closing…</source>
        <translation>Wird geschlossen …</translation>
    </message>
    <message>
        <source>by this tab</source>
        <translation>durch diesen Tab</translation>
    </message>
    <message>
        <source>by the server</source>
        <translation>durch den Server</translation>
    </message>
    <message>
        <source>Closed %1: %2 %3</source>
        <translation>Geschlossen %1: %2 %3</translation>
    </message>
    <message>
        <source> — &quot;%1&quot;</source>
        <translation> – „%1“</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <source>⚠ Certificate errors are ignored in this tab: the server&apos;s identity is not verified (TLS options).</source>
        <translation>⚠ Zertifikatsfehler werden in diesem Tab ignoriert: Die Identität des Servers wird nicht überprüft (TLS-Optionen).</translation>
    </message>
    <message>
        <source>ws://localhost:8080/</source>
        <translation>ws://localhost:8080/</translation>
    </message>
    <message>
        <source>Enter a URL such as ws://localhost:8080/.</source>
        <translation>Geben Sie eine URL wie ws://localhost:8080/ ein.</translation>
    </message>
    <message>
        <source>The URL needs a scheme: ws:// or wss://, as in ws://localhost:8080/.</source>
        <translation>Die URL braucht ein Schema: ws:// oder wss://, wie in ws://localhost:8080/.</translation>
    </message>
    <message>
        <source>The URL has no host; for example ws://localhost:8080/.</source>
        <translation>Die URL hat keinen Host; zum Beispiel ws://localhost:8080/.</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientTabs</name>
    <message>
        <source>Open a new client tab (Ctrl+T)</source>
        <translation>Einen neuen Client-Tab öffnen (Strg+T)</translation>
    </message>
    <message>
        <source>Rename Tab</source>
        <translation>Tab umbenennen</translation>
    </message>
    <message>
        <source>Tab name (empty: use host and port):</source>
        <translation>Tab-Name (leer: Host und Port verwenden):</translation>
    </message>
    <message>
        <source>%1
Certificate errors are ignored in this tab.</source>
        <translation>%1
Zertifikatsfehler werden in diesem Tab ignoriert.</translation>
    </message>
</context>
<context>
    <name>sockpit::CloseCodeCombo</name>
    <message>
        <source>Pick a close code or type any code from 1000 to 4999 that may be sent (RFC 6455 section 7.4).</source>
        <translation>Wählen Sie einen Close-Code oder geben Sie einen beliebigen sendbaren Code von 1000 bis 4999 ein (RFC 6455, Abschnitt 7.4).</translation>
    </message>
    <message>
        <source>Type a close code, for example 1000 or 4001.</source>
        <translation>Geben Sie einen Close-Code ein, zum Beispiel 1000 oder 4001.</translation>
    </message>
    <message>
        <source>%1 cannot be sent in a Close frame (%2).</source>
        <translation>%1 kann nicht in einem Close-Frame gesendet werden (%2).</translation>
    </message>
</context>
<context>
    <name>sockpit::ConnectionLinks</name>
    <message>
        <source>client #%1 ↔ server #%2</source>
        <translation>Client #%1 ↔ Server #%2</translation>
    </message>
    <message>
        <source>client #%1</source>
        <translation>Client #%1</translation>
    </message>
    <message>
        <source>server #%1 ↔ client #%2</source>
        <translation>Server #%1 ↔ Client #%2</translation>
    </message>
</context>
<context>
    <name>sockpit::ConnectionListModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>Gegenstelle</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Subprotocol</source>
        <translation>Subprotokoll</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Alter</translation>
    </message>
    <message>
        <source>Bytes in</source>
        <translation>Bytes ein</translation>
    </message>
    <message>
        <source>Bytes out</source>
        <translation>Bytes aus</translation>
    </message>
    <message>
        <source>Messages received from this peer</source>
        <translation>Von dieser Gegenstelle empfangene Nachrichten</translation>
    </message>
    <message>
        <source>Messages sent to this peer</source>
        <translation>An diese Gegenstelle gesendete Nachrichten</translation>
    </message>
    <message>
        <source>Bytes received from this peer</source>
        <translation>Von dieser Gegenstelle empfangene Bytes</translation>
    </message>
    <message>
        <source>Bytes sent to this peer</source>
        <translation>An diese Gegenstelle gesendete Bytes</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Eingehend</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Ausgehend</translation>
    </message>
</context>
<context>
    <name>sockpit::EmbeddedServer</name>
    <message>
        <source>The maximum message size must be at least one byte.</source>
        <translation>Die maximale Nachrichtengröße muss mindestens ein Byte betragen.</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>Der TLS-Handshake mit %1 ist fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Cannot listen on %1: the port is already in use.</source>
        <translation>Lauschen auf %1 nicht möglich: Der Port ist bereits belegt.</translation>
    </message>
    <message>
        <source>Cannot listen on %1: the address is not one of this machine&apos;s.</source>
        <translation>Lauschen auf %1 nicht möglich: Die Adresse gehört nicht zu diesem Rechner.</translation>
    </message>
    <message>
        <source>Cannot listen on %1: permission denied (ports below 1024 need privileges).</source>
        <translation>Lauschen auf %1 nicht möglich: Zugriff verweigert (Ports unter 1024 erfordern Berechtigungen).</translation>
    </message>
    <message>
        <source>Cannot listen on %1: %2</source>
        <translation>Lauschen auf %1 nicht möglich: %2</translation>
    </message>
    <message>
        <source>%1 did not send a complete upgrade request within %2 ms.</source>
        <translation>%1 hat innerhalb von %2 ms keine vollständige Upgrade-Anfrage gesendet.</translation>
    </message>
    <message>
        <source>Handshake from %1 rejected with %2: %3</source>
        <translation>Handshake von %1 mit %2 abgelehnt: %3</translation>
    </message>
    <message>
        <source>The WebSocket stack refused the request from %1 with %2.</source>
        <translation>Der WebSocket-Stack hat die Anfrage von %1 mit %2 abgelehnt.</translation>
    </message>
    <message>
        <source>Cannot listen on &quot;%1&quot;: use localhost or an IP address such as 127.0.0.1 or ::1.</source>
        <translation>Auf „%1“ kann nicht gelauscht werden: Verwenden Sie localhost oder eine IP-Adresse wie 127.0.0.1 oder ::1.</translation>
    </message>
    <message>
        <source>Cannot listen on %1: no loopback address is available.</source>
        <translation>Auf %1 kann nicht gelauscht werden: Keine Loopback-Adresse ist verfügbar.</translation>
    </message>
    <message>
        <source>%1 is not available on this machine; listening on %2 only.</source>
        <translation>%1 ist auf diesem Rechner nicht verfügbar; es wird nur auf %2 gelauscht.</translation>
    </message>
    <message>
        <source>Accepting a connection failed: %1</source>
        <translation>Eine Verbindung konnte nicht angenommen werden: %1</translation>
    </message>
    <message>
        <source>No file descriptor is left for the connection from %1 (this process may have %2 open): answered 503.</source>
        <translation>Für die Verbindung von %1 ist kein Dateideskriptor mehr frei (dieser Prozess darf %2 geöffnet haben): mit 503 beantwortet.</translation>
    </message>
    <message>
        <source>No file descriptor is left for the connection from %1: answered 503.</source>
        <translation>Für die Verbindung von %1 ist kein Dateideskriptor mehr frei: mit 503 beantwortet.</translation>
    </message>
</context>
<context>
    <name>sockpit::EventFilterProxy</name>
    <message>
        <source>%1 (at character %2)</source>
        <translation>%1 (bei Zeichen %2)</translation>
    </message>
</context>
<context>
    <name>sockpit::EventInspector</name>
    <message>
        <source>Opcode</source>
        <translation>Opcode</translation>
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
        <translation>Maskiert</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Länge</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Headers</source>
        <translation>Header</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Nutzdaten</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Frames</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Nothing selected</source>
        <translation>Nichts ausgewählt</translation>
    </message>
    <message>
        <source>Select an event in the log to see it here.</source>
        <translation>Wählen Sie ein Ereignis im Protokoll, um es hier zu sehen.</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>(the server)</source>
        <translation>(der Server)</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>Gegenstelle</translation>
    </message>
    <message>
        <source>Subprotocol</source>
        <translation>Subprotokoll</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Round trip</source>
        <translation>Umlaufzeit</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <source>Close code</source>
        <translation>Close-Code</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>Bedeutung</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Initiated by</source>
        <translation>Ausgelöst von</translation>
    </message>
    <message>
        <source>the server (local)</source>
        <translation>der Server (lokal)</translation>
    </message>
    <message>
        <source>this client (local)</source>
        <translation>dieser Client (lokal)</translation>
    </message>
    <message>
        <source>the client (remote)</source>
        <translation>der Client (entfernt)</translation>
    </message>
    <message>
        <source>the server (remote)</source>
        <translation>der Server (entfernt)</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Error id</source>
        <translation>Fehler-ID</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Cipher</source>
        <translation>Chiffre</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>turned off by the user</source>
        <translation>vom Benutzer abgeschaltet</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Inhaber</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>Aussteller</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>Gültig ab</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>Gültig bis</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Certificate error</source>
        <translation>Zertifikatsfehler</translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln Byte</numerusform>
            <numerusform>%Ln Bytes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::EventLogModel</name>
    <message>
        <source>(empty)</source>
        <translation>(leer)</translation>
    </message>
    <message>
        <source>server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>in</source>
        <translation>ein</translation>
    </message>
    <message>
        <source>out</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>listening</source>
        <translation>lauscht</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>handshake</source>
        <translation>Handshake</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>binary</source>
        <translation>binär</translation>
    </message>
    <message>
        <source>ping</source>
        <translation>Ping</translation>
    </message>
    <message>
        <source>pong</source>
        <translation>Pong</translation>
    </message>
    <message>
        <source>close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>broadcast</source>
        <translation>Rundsendung</translation>
    </message>
    <message>
        <source>tls</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>%1 → (no response observed)</source>
        <translation>%1 → (keine Antwort beobachtet)</translation>
    </message>
    <message>
        <source>%1 → %2 %3</source>
        <translation>%1 → %2 %3</translation>
    </message>
    <message>
        <source>local</source>
        <translation>lokal</translation>
    </message>
    <message>
        <source>remote</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>%1 %2 (%3)</source>
        <translation>%1 %2 (%3)</translation>
    </message>
    <message>
        <source>%1 %2: %3 (%4)</source>
        <translation>%1 %2: %3 (%4)</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1, verification disabled</source>
        <translation>%1, Prüfung abgeschaltet</translation>
    </message>
    <message>
        <source>%1, rtt %2 ms</source>
        <translation>%1, Umlaufzeit %2 ms</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>peer %1</source>
        <translation>Gegenstelle %1</translation>
    </message>
    <message>
        <source>peer %1, subprotocol %2</source>
        <translation>Gegenstelle %1, Subprotokoll %2</translation>
    </message>
    <message>
        <source>to %1: %2</source>
        <translation>an %1: %2</translation>
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
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1, 1 certificate error</source>
        <translation>%1, 1 Zertifikatsfehler</translation>
    </message>
    <message>
        <source>%1, %2 certificate errors</source>
        <translation>%1, %2 Zertifikatsfehler</translation>
    </message>
    <message numerus="yes">
        <source>%n bytes</source>
        <translation>
            <numerusform>%n Byte</numerusform>
            <numerusform>%n Bytes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::FilePickerField</name>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen …</translation>
    </message>
</context>
<context>
    <name>sockpit::GuiMain</name>
    <message>
        <source>Sockpit: a WebSocket test console.</source>
        <translation>Sockpit: eine WebSocket-Testkonsole.</translation>
    </message>
    <message>
        <source>Interface language (en, de, fr, zh_CN); overrides the Preferences and the system locale.</source>
        <translation>Sprache der Oberfläche (en, de, fr, zh_CN); hat Vorrang vor den Einstellungen und der Systemsprache.</translation>
    </message>
    <message>
        <source>code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>A JSON Lines event log to open.</source>
        <translation>Ein zu öffnendes JSON-Lines-Ereignisprotokoll.</translation>
    </message>
    <message>
        <source>at most one WORKSPACE may be given</source>
        <translation>höchstens ein WORKSPACE darf angegeben werden</translation>
    </message>
    <message>
        <source>no translation for language &quot;%1&quot;; using English</source>
        <translation>keine Übersetzung für die Sprache „%1“; Englisch wird verwendet</translation>
    </message>
</context>
<context>
    <name>sockpit::HandshakeLimitsBox</name>
    <message>
        <source>Handshake</source>
        <translation>Handshake</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>A client has this long from the TCP accept to complete the opening handshake; then the connection is dropped</source>
        <translation>So lange hat ein Client ab der TCP-Annahme für den Eröffnungs-Handshake; danach wird die Verbindung getrennt</translation>
    </message>
    <message>
        <source> bytes</source>
        <translation> Bytes</translation>
    </message>
    <message>
        <source>A larger upgrade request is answered with HTTP 431</source>
        <translation>Eine größere Upgrade-Anfrage wird mit HTTP 431 beantwortet</translation>
    </message>
    <message>
        <source>A longer request or header line is answered with HTTP 431 (Qt&apos;s WebSocket stack takes no longer lines)</source>
        <translation>Eine längere Anfrage- oder Kopfzeile wird mit HTTP 431 beantwortet (Qts WebSocket-Stack nimmt keine längeren Zeilen an)</translation>
    </message>
    <message>
        <source>More header fields are answered with HTTP 431 (Qt&apos;s WebSocket stack takes no more)</source>
        <translation>Mehr Kopffelder werden mit HTTP 431 beantwortet (Qts WebSocket-Stack nimmt nicht mehr an)</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>Zeitlimit:</translation>
    </message>
    <message>
        <source>Request head:</source>
        <translation>Anfragekopf:</translation>
    </message>
    <message>
        <source>Header line:</source>
        <translation>Kopfzeile:</translation>
    </message>
    <message>
        <source>Header fields:</source>
        <translation>Kopffelder:</translation>
    </message>
</context>
<context>
    <name>sockpit::HandshakeView</name>
    <message>
        <source>Request: %1 %2 HTTP/1.1</source>
        <translation>Anfrage: %1 %2 HTTP/1.1</translation>
    </message>
    <message>
        <source>Response: HTTP/1.1 %1 %2</source>
        <translation>Antwort: HTTP/1.1 %1 %2</translation>
    </message>
    <message>
        <source>Body: %1</source>
        <translation>Body: %1</translation>
    </message>
    <message>
        <source>Response: not observed</source>
        <translation>Antwort: nicht beobachtet</translation>
    </message>
</context>
<context>
    <name>sockpit::HeadersEditor</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Add a request header</source>
        <translation>Einen Anfrage-Header hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Remove the selected headers</source>
        <translation>Die ausgewählten Header entfernen</translation>
    </message>
</context>
<context>
    <name>sockpit::JsonLines</name>
    <message>
        <source>a string</source>
        <translation>eine Zeichenkette</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; holds a character that is not an HTTP byte.</source>
        <translation>Der Schlüssel „%1“ enthält ein Zeichen, das kein HTTP-Byte ist.</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not valid base64.</source>
        <translation>Der Schlüssel „%1“ ist kein gültiges Base64.</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>eine ganze Zahl</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true oder false</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>ein Objekt</translation>
    </message>
    <message>
        <source>an array</source>
        <translation>ein Array</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not an ISO 8601 time: &quot;%2&quot;.</source>
        <translation>Der Schlüssel „%1“ ist keine ISO-8601-Zeit: „%2“.</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; has an unknown value &quot;%2&quot;.</source>
        <translation>Der Schlüssel „%1“ hat einen unbekannten Wert „%2“.</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not %2.</source>
        <translation>Der Schlüssel „%1“ ist nicht %2.</translation>
    </message>
    <message>
        <source>A header is not a [name, value] pair of strings.</source>
        <translation>Ein Header ist kein [Name, Wert]-Paar aus Zeichenketten.</translation>
    </message>
    <message>
        <source>A TLS error is not a string.</source>
        <translation>Ein TLS-Fehler ist keine Zeichenkette.</translation>
    </message>
    <message>
        <source>A frame is not an object.</source>
        <translation>Ein Frame ist kein Objekt.</translation>
    </message>
    <message>
        <source>The line is not JSON: %1 at character %2.</source>
        <translation>Die Zeile ist kein JSON: %1 bei Zeichen %2.</translation>
    </message>
    <message>
        <source>The line is JSON but not an object.</source>
        <translation>Die Zeile ist JSON, aber kein Objekt.</translation>
    </message>
    <message>
        <source>The line has no &quot;kind&quot;.</source>
        <translation>Die Zeile hat kein „kind“.</translation>
    </message>
    <message>
        <source>The key &quot;kind&quot; is not a string.</source>
        <translation>Der Schlüssel „kind“ ist keine Zeichenkette.</translation>
    </message>
    <message>
        <source>The line has an unknown kind &quot;%1&quot;.</source>
        <translation>Die Zeile hat eine unbekannte Art „%1“.</translation>
    </message>
    <message>
        <source>The key &quot;rttMs&quot; is not a number.</source>
        <translation>Der Schlüssel „rttMs“ ist keine Zahl.</translation>
    </message>
    <message>
        <source>The event log is not open for reading.</source>
        <translation>Das Ereignisprotokoll ist nicht zum Lesen geöffnet.</translation>
    </message>
    <message>
        <source>Cannot open the event log %1: %2.</source>
        <translation>Das Ereignisprotokoll %1 kann nicht geöffnet werden: %2.</translation>
    </message>
    <message>
        <source>Cannot write the event log %1: %2.</source>
        <translation>Das Ereignisprotokoll %1 kann nicht geschrieben werden: %2.</translation>
    </message>
    <message>
        <source>to standard output</source>
        <translation>auf die Standardausgabe</translation>
    </message>
    <message>
        <source>Cannot write the event log: %1.</source>
        <translation>Das Ereignisprotokoll kann nicht geschrieben werden: %1.</translation>
    </message>
    <message>
        <source>A listening address is not a string.</source>
        <translation>Eine Lauschadresse ist keine Zeichenkette.</translation>
    </message>
</context>
<context>
    <name>sockpit::LogFileWindow</name>
    <message>
        <source>%1 — Sockpit log</source>
        <translation>%1 — Sockpit-Protokoll</translation>
    </message>
</context>
<context>
    <name>sockpit::LogFilterBar</name>
    <message>
        <source>Regex</source>
        <translation>Regex</translation>
    </message>
    <message>
        <source>Show only the checked kinds of event</source>
        <translation>Nur die angehakten Ereignisarten zeigen</translation>
    </message>
    <message>
        <source>Show all kinds</source>
        <translation>Alle Arten zeigen</translation>
    </message>
    <message>
        <source>Any source</source>
        <translation>Jede Quelle</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Any connection</source>
        <translation>Jede Verbindung</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Show one connection&apos;s events (0: all)</source>
        <translation>Die Ereignisse einer Verbindung zeigen (0: alle)</translation>
    </message>
    <message>
        <source>Any direction</source>
        <translation>Jede Richtung</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Ein</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>Filter (Ctrl+F)</source>
        <translation>Filter (Strg+F)</translation>
    </message>
    <message>
        <source>Treat the filter text as a regular expression</source>
        <translation>Den Filtertext als regulären Ausdruck behandeln</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>Alle Arten</translation>
    </message>
    <message>
        <source>Kinds: %1</source>
        <translation>Arten: %1</translation>
    </message>
    <message>
        <source>Invalid regular expression: %1</source>
        <translation>Ungültiger regulärer Ausdruck: %1</translation>
    </message>
    <message>
        <source>Text matched against each event (case-insensitive)</source>
        <translation>Text, der mit jedem Ereignis verglichen wird (ohne Beachtung der Groß-/Kleinschreibung)</translation>
    </message>
    <message>
        <source>Regular expression matched against each part of an event (its message, summary, each header…): ^ and $ anchor at the start and end of that part</source>
        <translation>Regulärer Ausdruck, der mit jedem Teil eines Ereignisses verglichen wird (Nachricht, Zusammenfassung, jeder Header …): ^ und $ verankern am Anfang und Ende dieses Teils</translation>
    </message>
</context>
<context>
    <name>sockpit::LogView</name>
    <message>
        <source>Follow</source>
        <translation>Folgen</translation>
    </message>
    <message>
        <source>Keep the newest event in view. Scrolling up stops it; scrolling to the bottom starts it again.</source>
        <translation>Das neueste Ereignis im Blick behalten. Hochscrollen hält es an; Scrollen bis ganz nach unten startet es wieder.</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Freeze the table to read it: events are still recorded (and exported) and appear when you resume.</source>
        <translation>Die Tabelle zum Lesen anhalten: Ereignisse werden weiter aufgezeichnet (und exportiert) und erscheinen beim Fortsetzen.</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Forget every event recorded so far</source>
        <translation>Alle bisher aufgezeichneten Ereignisse verwerfen</translation>
    </message>
    <message>
        <source>Events shown by the filter / recorded in total / evicted to keep memory bounded</source>
        <translation>Vom Filter gezeigte / insgesamt aufgezeichnete / zur Speicherbegrenzung verworfene Ereignisse</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>%1 / %2 / %3</source>
        <comment>shown / total / evicted</comment>
        <translation>%1 / %2 / %3</translation>
    </message>
    <message numerus="yes">
        <source>%Ln shown</source>
        <translation>
            <numerusform>%Ln gezeigt</numerusform>
            <numerusform>%Ln gezeigt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln total</source>
        <translation>
            <numerusform>%Ln gesamt</numerusform>
            <numerusform>%Ln gesamt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln evicted</source>
        <translation>
            <numerusform>%Ln verworfen</numerusform>
            <numerusform>%Ln verworfen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> — paused, %Ln new waiting</source>
        <translation>
            <numerusform> – angehalten, %Ln neues wartet</numerusform>
            <numerusform> – angehalten, %Ln neue warten</numerusform>
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
        <translation>Server</translation>
    </message>
    <message>
        <source>Client tabs now trust %1</source>
        <translation>Client-Tabs vertrauen jetzt %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open Log…</source>
        <translation>Protokoll ö&amp;ffnen …</translation>
    </message>
    <message>
        <source>&amp;Export All…</source>
        <translation>Alle &amp;exportieren …</translation>
    </message>
    <message>
        <source>Export &amp;Filtered…</source>
        <translation>&amp;Gefilterte exportieren …</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Clients</source>
        <translation>&amp;Clients</translation>
    </message>
    <message>
        <source>&amp;New Tab</source>
        <translation>&amp;Neuer Tab</translation>
    </message>
    <message>
        <source>&amp;Close Tab</source>
        <translation>Tab &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Rename Tab…</source>
        <translation>Tab &amp;umbenennen …</translation>
    </message>
    <message>
        <source>Open N Clients to the &amp;Local Server…</source>
        <translation>N Clients zum &amp;lokalen Server öffnen …</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Find in Log</source>
        <translation>Im Protokoll &amp;suchen</translation>
    </message>
    <message>
        <source>&amp;Clear Log</source>
        <translation>Protokoll &amp;leeren</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Sockpit</source>
        <translation>&amp;Über Sockpit</translation>
    </message>
    <message>
        <source>About Sockpit</source>
        <translation>Über Sockpit</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Sockpit %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A WebSocket test console: an embedded server, client tabs and one wire-level log.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Sockpit %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Eine WebSocket-Testkonsole: ein eingebetteter Server, Client-Tabs und ein Protokoll auf Leitungsebene.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Open Log</source>
        <translation>Protokoll öffnen</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>… und %1 weitere</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Export All Events</source>
        <translation>Alle Ereignisse exportieren</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Export Filtered Events</source>
        <translation>Gefilterte Ereignisse exportieren</translation>
    </message>
    <message>
        <source>Open Clients</source>
        <translation>Clients öffnen</translation>
    </message>
    <message>
        <source>Start the server first: the clients connect to it.</source>
        <translation>Starten Sie zuerst den Server: Die Clients verbinden sich mit ihm.</translation>
    </message>
    <message>
        <source>Open this many client tabs to %1:</source>
        <translation>So viele Client-Tabs zu %1 öffnen:</translation>
    </message>
    <message numerus="yes">
        <source>Read %Ln events from %1</source>
        <translation>
            <numerusform>%Ln Ereignis aus %1 gelesen</numerusform>
            <numerusform>%Ln Ereignisse aus %1 gelesen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %Ln lines of %2 could not be read and were skipped; the other events are shown.</source>
        <translation>
            <numerusform>%1 von %Ln Zeile aus %2 konnte nicht gelesen werden und wurde übersprungen; die übrigen Ereignisse werden angezeigt.</numerusform>
            <numerusform>%1 von %Ln Zeilen aus %2 konnten nicht gelesen werden und wurden übersprungen; die übrigen Ereignisse werden angezeigt.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::MessageComposer</name>
    <message>
        <source>Pretty</source>
        <translation>Formatiert</translation>
    </message>
    <message>
        <source>Load file…</source>
        <translation>Datei laden …</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Binary</source>
        <translation>Binär</translation>
    </message>
    <message>
        <source>How the message is written and sent</source>
        <translation>Wie die Nachricht geschrieben und gesendet wird</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>Hex</translation>
    </message>
    <message>
        <source>Base64</source>
        <translation>Base64</translation>
    </message>
    <message>
        <source>How the binary message is typed</source>
        <translation>Wie die binäre Nachricht eingegeben wird</translation>
    </message>
    <message>
        <source>Indent the JSON message</source>
        <translation>Die JSON-Nachricht einrücken</translation>
    </message>
    <message>
        <source>Send the contents of a file as one binary message</source>
        <translation>Den Inhalt einer Datei als eine binäre Nachricht senden</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>Nachricht:</translation>
    </message>
    <message>
        <source>Send a File</source>
        <translation>Eine Datei senden</translation>
    </message>
    <message>
        <source>%1 is too big to send from here (%2 bytes; the limit is %3).</source>
        <translation>%1 ist zu groß, um von hier gesendet zu werden (%2 Bytes; die Grenze ist %3).</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
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
        <translation>Nachricht eingeben</translation>
    </message>
    <message>
        <source>Valid JSON</source>
        <translation>Gültiges JSON</translation>
    </message>
    <message numerus="yes">
        <source>%Ln characters of pasted text, with a line too long to show here, will be sent as they are; type to replace them.</source>
        <translation>
            <numerusform>Eingefügter Text (%Ln Zeichen) mit einer Zeile, die zu lang für die Anzeige ist, wird unverändert gesendet; tippen Sie, um ihn zu ersetzen.</numerusform>
            <numerusform>Eingefügter Text (%Ln Zeichen) mit einer Zeile, die zu lang für die Anzeige ist, wird unverändert gesendet; tippen Sie, um ihn zu ersetzen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (%Ln bytes) will be sent; type to replace it.</source>
        <translation>
            <numerusform>%1 (%Ln Byte) wird gesendet; tippen Sie, um es zu ersetzen.</numerusform>
            <numerusform>%1 (%Ln Bytes) wird gesendet; tippen Sie, um es zu ersetzen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln Byte</numerusform>
            <numerusform>%Ln Bytes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::PayloadView</name>
    <message>
        <source>Write the whole recorded payload to a file</source>
        <translation>Die gesamten aufgezeichneten Nutzdaten in eine Datei schreiben</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>Hex</translation>
    </message>
    <message>
        <source>(root)</source>
        <translation>(Wurzel)</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>(more items not shown)</source>
        <translation>(weitere Einträge nicht gezeigt)</translation>
    </message>
    <message>
        <source>Save Payload</source>
        <translation>Nutzdaten speichern</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message numerus="yes">
        <source>Showing %1 of %Ln bytes</source>
        <translation>
            <numerusform>%1 von %Ln Byte werden gezeigt</numerusform>
            <numerusform>%1 von %Ln Bytes werden gezeigt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln Byte</numerusform>
            <numerusform>%Ln Bytes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Only the first %Ln bytes were recorded.</source>
        <translation>
            <numerusform>Nur das erste %Ln Byte wurde aufgezeichnet.</numerusform>
            <numerusform>Nur die ersten %Ln Bytes wurden aufgezeichnet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>object, %Ln keys</source>
        <translation>
            <numerusform>Objekt, %Ln Schlüssel</numerusform>
            <numerusform>Objekt, %Ln Schlüssel</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>array, %Ln items</source>
        <translation>
            <numerusform>Array, %Ln Eintrag</numerusform>
            <numerusform>Array, %Ln Einträge</numerusform>
        </translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>Speichern…</translation>
    </message>
</context>
<context>
    <name>sockpit::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>System (%1)</source>
        <translation>System (%1)</translation>
    </message>
    <message>
        <source>A new language applies after Sockpit is restarted.</source>
        <translation>Eine neue Sprache gilt nach einem Neustart von Sockpit.</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerConnection</name>
    <message>
        <source>A message from %1 was larger than the limit; the connection was closed with 1009.</source>
        <translation>Eine Nachricht von %1 war größer als die Grenze; die Verbindung wurde mit 1009 geschlossen.</translation>
    </message>
    <message>
        <source>The frames sent to %1 could no longer be decoded (%2); outgoing messages are recorded as sent from here on.</source>
        <translation>Die an %1 gesendeten Frames konnten nicht mehr dekodiert werden (%2); ausgehende Nachrichten werden ab jetzt so aufgezeichnet, wie sie zum Senden übergeben werden.</translation>
    </message>
    <message>
        <source>%1 broke the WebSocket protocol: %2. The connection was closed with %3.</source>
        <translation>%1 hat gegen das WebSocket-Protokoll verstoßen: %2. Die Verbindung wurde mit %3 geschlossen.</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerPanel</name>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Open clients</source>
        <translation>Clients öffnen</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send to all</source>
        <translation>An alle senden</translation>
    </message>
    <message>
        <source>Close selected</source>
        <translation>Ausgewählte schließen</translation>
    </message>
    <message>
        <source>Close all</source>
        <translation>Alle schließen</translation>
    </message>
    <message>
        <source>How many client tabs to open</source>
        <translation>Wie viele Client-Tabs geöffnet werden</translation>
    </message>
    <message>
        <source>Open this many client tabs to the running server and connect them all (for broadcast tests)</source>
        <translation>So viele Client-Tabs zum laufenden Server öffnen und alle verbinden (für Rundsendungstests)</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>Lauschen</translation>
    </message>
    <message>
        <source>0 (any free port)</source>
        <translation>0 (beliebiger freier Port)</translation>
    </message>
    <message>
        <source>0 picks a free port</source>
        <translation>0 wählt einen freien Port</translation>
    </message>
    <message>
        <source>Echo: reply to the sender</source>
        <translation>Echo: dem Absender antworten</translation>
    </message>
    <message>
        <source>Silent: record only</source>
        <translation>Still: nur aufzeichnen</translation>
    </message>
    <message>
        <source>%m (e.g. Server says: %m)</source>
        <translation>%m (z. B. Server sagt: %m)</translation>
    </message>
    <message>
        <source>What is sent back; %m is the received message</source>
        <translation>Was zurückgesendet wird; %m ist die empfangene Nachricht</translation>
    </message>
    <message>
        <source>chat, superchat (in preference order)</source>
        <translation>chat, superchat (in Reihenfolge der Bevorzugung)</translation>
    </message>
    <message>
        <source> KiB</source>
        <translation> KiB</translation>
    </message>
    <message>
        <source>Larger incoming messages close the connection with 1009</source>
        <translation>Größere eingehende Nachrichten schließen die Verbindung mit 1009</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Host:</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>Modus:</translation>
    </message>
    <message>
        <source>Reply:</source>
        <translation>Antwort:</translation>
    </message>
    <message>
        <source>Subprotocols:</source>
        <translation>Subprotokolle:</translation>
    </message>
    <message>
        <source>Max message:</source>
        <translation>Max. Nachricht:</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>Text to send</source>
        <translation>Zu sendender Text</translation>
    </message>
    <message>
        <source>Send the text to the selected connections</source>
        <translation>Den Text an die ausgewählten Verbindungen senden</translation>
    </message>
    <message>
        <source>Broadcast the text to every open connection</source>
        <translation>Den Text an jede offene Verbindung rundsenden</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>wss needs a certificate: choose one or generate a self-signed one.</source>
        <translation>wss braucht ein Zertifikat: Wählen Sie eines oder erzeugen Sie ein selbstsigniertes.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Close every connection (1001) and stop listening</source>
        <translation>Jede Verbindung schließen (1001) und das Lauschen beenden</translation>
    </message>
    <message>
        <source>Start listening</source>
        <translation>Lauschen beginnen</translation>
    </message>
    <message>
        <source>Could not start: %1</source>
        <translation>Start nicht möglich: %1</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>Lauscht auf %1</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Where to listen: localhost (127.0.0.1 and ::1, this machine only), one address such as 127.0.0.1 or ::1, or 0.0.0.0 / :: (every interface)</source>
        <translation>Wo gelauscht wird: localhost (127.0.0.1 und ::1, nur dieser Rechner), eine Adresse wie 127.0.0.1 oder ::1, oder 0.0.0.0 / :: (alle Schnittstellen)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not localhost or an IP address; use localhost, 127.0.0.1, ::1 or 0.0.0.0.</source>
        <translation>„%1“ ist weder localhost noch eine IP-Adresse; verwenden Sie localhost, 127.0.0.1, ::1 oder 0.0.0.0.</translation>
    </message>
    <message>
        <source>Broadcast: to every client</source>
        <translation>Rundsendung: an jeden Client</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Startet …</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerPolicyBox</name>
    <message>
        <source>Policy</source>
        <translation>Richtlinie</translation>
    </message>
    <message>
        <source>any origin</source>
        <translation>jeder Origin</translation>
    </message>
    <message>
        <source>Origins allowed to connect, separated by commas (for example http://localhost:3000). Others are answered with HTTP 403. Empty: any origin.</source>
        <translation>Origins, die sich verbinden dürfen, durch Kommas getrennt (zum Beispiel http://localhost:3000). Alle anderen erhalten HTTP 403. Leer: jeder Origin.</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Close each connection this many seconds after it opens (0: never)</source>
        <translation>Jede Verbindung so viele Sekunden nach dem Öffnen schließen (0: nie)</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Origins:</source>
        <translation>Origins:</translation>
    </message>
    <message>
        <source>Close after:</source>
        <translation>Schließen nach:</translation>
    </message>
    <message>
        <source>Close code:</source>
        <translation>Close-Code:</translation>
    </message>
    <message>
        <source>Close reason:</source>
        <translation>Schließgrund:</translation>
    </message>
    <message>
        <source>The close reason is %1 bytes of UTF-8; a Close frame allows at most %2 (RFC 6455 section 5.5).</source>
        <translation>Der Schließgrund ist %1 Bytes UTF-8 lang; ein Close-Frame erlaubt höchstens %2 (RFC 6455, Abschnitt 5.5).</translation>
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
        <translation>wss (TLS)</translation>
    </message>
    <message>
        <source>Server Certificate</source>
        <translation>Server-Zertifikat</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer *.p12 *.pfx);;All files (*)</source>
        <translation>Zertifikate (*.pem *.crt *.cer *.p12 *.pfx);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Server Private Key</source>
        <translation>Privater Server-Schlüssel</translation>
    </message>
    <message>
        <source>PEM keys (*.pem *.key);;All files (*)</source>
        <translation>PEM-Schlüssel (*.pem *.key);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Generate self-signed…</source>
        <translation>Selbstsigniert erzeugen …</translation>
    </message>
    <message>
        <source>Trust in client tabs</source>
        <translation>In Client-Tabs vertrauen</translation>
    </message>
    <message>
        <source>Serve wss:// with the certificate below</source>
        <translation>wss:// mit dem Zertifikat unten bereitstellen</translation>
    </message>
    <message>
        <source>PEM chain or PKCS#12 bundle</source>
        <translation>PEM-Kette oder PKCS#12-Bündel</translation>
    </message>
    <message>
        <source>PEM key (empty for PKCS#12)</source>
        <translation>PEM-Schlüssel (leer bei PKCS#12)</translation>
    </message>
    <message>
        <source>only for an encrypted key; never saved</source>
        <translation>nur für einen verschlüsselten Schlüssel; wird nie gespeichert</translation>
    </message>
    <message>
        <source>Make a certificate for localhost, 127.0.0.1 and ::1 with OpenSSL and save it with its key</source>
        <translation>Mit OpenSSL ein Zertifikat für localhost, 127.0.0.1 und ::1 erstellen und mit seinem Schlüssel speichern</translation>
    </message>
    <message>
        <source>Make every client tab trust this certificate as a CA</source>
        <translation>Jeden Client-Tab diesem Zertifikat als CA vertrauen lassen</translation>
    </message>
    <message>
        <source>Certificate:</source>
        <translation>Zertifikat:</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>Schlüssel:</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <source>Generate a Self-Signed Certificate</source>
        <translation>Ein selbstsigniertes Zertifikat erzeugen</translation>
    </message>
    <message>
        <source>The certificate covers localhost, 127.0.0.1 and ::1.
Further host names or IP addresses (comma-separated, optional):</source>
        <translation>Das Zertifikat gilt für localhost, 127.0.0.1 und ::1.
Weitere Hostnamen oder IP-Adressen (durch Kommas getrennt, optional):</translation>
    </message>
    <message>
        <source>Save the Certificate</source>
        <translation>Zertifikat speichern</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem)</source>
        <translation>PEM-Zertifikate (*.pem)</translation>
    </message>
    <message>
        <source>Self-Signed Certificate</source>
        <translation>Selbstsigniertes Zertifikat</translation>
    </message>
    <message>
        <source>No certificate chosen.</source>
        <translation>Kein Zertifikat gewählt.</translation>
    </message>
    <message>
        <source>PKCS#12 bundle: its details show once the server starts.</source>
        <translation>PKCS#12-Bündel: Die Details erscheinen, sobald der Server startet.</translation>
    </message>
    <message>
        <source>SHA-256: %1
Valid from %2 to %3</source>
        <translation>SHA-256: %1
Gültig von %2 bis %3</translation>
    </message>
    <message>
        <source>This certificate has expired.</source>
        <translation>Dieses Zertifikat ist abgelaufen.</translation>
    </message>
    <message>
        <source>This certificate is not valid yet.</source>
        <translation>Dieses Zertifikat ist noch nicht gültig.</translation>
    </message>
    <message>
        <source>Client Certificate Authorities</source>
        <translation>Zertifizierungsstellen für Client-Zertifikate</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM-Zertifikate (*.pem *.crt *.cer);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>optional: require client certificates</source>
        <translation>optional: Client-Zertifikate verlangen</translation>
    </message>
    <message>
        <source>Mutual TLS: when a CA file is chosen, every wss client must present a certificate issued by one of its CAs</source>
        <translation>Gegenseitiges TLS: Ist eine CA-Datei gewählt, muss jeder wss-Client ein Zertifikat vorlegen, das von einer ihrer CAs ausgestellt wurde</translation>
    </message>
    <message>
        <source>Client CA:</source>
        <translation>Client-CA:</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerWireTap</name>
    <message>
        <source>unmasked frame from the client (RFC 6455 section 5.1)</source>
        <translation>nicht maskierter Frame vom Client (RFC 6455, Abschnitt 5.1)</translation>
    </message>
    <message>
        <source>The WebSocket stack answered with an oversized head.</source>
        <translation>Der WebSocket-Stack hat mit einem übergroßen Antwortkopf geantwortet.</translation>
    </message>
    <message>
        <source>The WebSocket stack&apos;s answer could not be parsed.</source>
        <translation>Die Antwort des WebSocket-Stacks konnte nicht ausgewertet werden.</translation>
    </message>
    <message>
        <source>The WebSocket stack closed the connection without answering the request.</source>
        <translation>Der WebSocket-Stack hat die Verbindung geschlossen, ohne die Anfrage zu beantworten.</translation>
    </message>
</context>
<context>
    <name>sockpit::cli</name>
    <message>
        <source>--send-hex: &quot;%1&quot; is not hexadecimal.</source>
        <translation>--send-hex: „%1“ ist nicht hexadezimal.</translation>
    </message>
    <message>
        <source>--send-base64: &quot;%1&quot; is not base64.</source>
        <translation>--send-base64: „%1“ ist kein Base64.</translation>
    </message>
    <message>
        <source>--send-file: cannot read &quot;%1&quot;: %2.</source>
        <translation>--send-file: „%1“ kann nicht gelesen werden: %2.</translation>
    </message>
    <message>
        <source>closed %1 (%2)</source>
        <translation>geschlossen %1 (%2)</translation>
    </message>
    <message>
        <source>ws:// or wss:// URL</source>
        <translation>ws://- oder wss://-URL</translation>
    </message>
    <message>
        <source>Extra request header (repeatable).</source>
        <translation>Zusätzlicher Anfrage-Header (wiederholbar).</translation>
    </message>
    <message>
        <source>Name: value</source>
        <translation>Name: Wert</translation>
    </message>
    <message>
        <source>Requested subprotocol (repeatable).</source>
        <translation>Angefordertes Subprotokoll (wiederholbar).</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>Origin header.</source>
        <translation>Origin-Header.</translation>
    </message>
    <message>
        <source>ORIGIN</source>
        <translation>ORIGIN</translation>
    </message>
    <message>
        <source>Text message sent once open (repeatable, in order).</source>
        <translation>Textnachricht, die nach dem Öffnen gesendet wird (wiederholbar, in Reihenfolge).</translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation>TEXT</translation>
    </message>
    <message>
        <source>Binary message given as hex (repeatable).</source>
        <translation>Binäre Nachricht als Hex (wiederholbar).</translation>
    </message>
    <message>
        <source>HEX</source>
        <translation>HEX</translation>
    </message>
    <message>
        <source>Binary message given as base64 (repeatable).</source>
        <translation>Binäre Nachricht als Base64 (wiederholbar).</translation>
    </message>
    <message>
        <source>BASE64</source>
        <translation>BASE64</translation>
    </message>
    <message>
        <source>Binary message read from a file (repeatable).</source>
        <translation>Binäre Nachricht aus einer Datei (wiederholbar).</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>DATEI</translation>
    </message>
    <message>
        <source>Send each line of standard input as text; close at its end.</source>
        <translation>Jede Zeile der Standardeingabe als Text senden; an ihrem Ende schließen.</translation>
    </message>
    <message>
        <source>Outgoing frame size: longer messages are fragmented.</source>
        <translation>Größe ausgehender Frames: Längere Nachrichten werden fragmentiert.</translation>
    </message>
    <message>
        <source>BYTES</source>
        <translation>BYTES</translation>
    </message>
    <message>
        <source>Close after N messages received.</source>
        <translation>Nach N empfangenen Nachrichten schließen.</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Connect timeout, and how long to stay open.</source>
        <translation>Zeitlimit für den Verbindungsaufbau und wie lange die Verbindung offen bleibt.</translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation>SEKUNDEN</translation>
    </message>
    <message>
        <source>How to close when done (default 1000).</source>
        <translation>Wie am Ende geschlossen wird (Standard 1000).</translation>
    </message>
    <message>
        <source>CODE[:REASON]</source>
        <translation>CODE[:GRUND]</translation>
    </message>
    <message>
        <source>Trust this CA file (PEM).</source>
        <translation>Dieser CA-Datei vertrauen (PEM).</translation>
    </message>
    <message>
        <source>Client certificate (mutual TLS).</source>
        <translation>Client-Zertifikat (gegenseitiges TLS).</translation>
    </message>
    <message>
        <source>Client private key.</source>
        <translation>Privater Client-Schlüssel.</translation>
    </message>
    <message>
        <source>Ignore certificate errors (logged).</source>
        <translation>Zertifikatsfehler ignorieren (wird protokolliert).</translation>
    </message>
    <message>
        <source>JSON Lines event log; &quot;-&quot; is stdout.</source>
        <translation>JSON-Lines-Ereignisprotokoll; „-“ ist stdout.</translation>
    </message>
    <message>
        <source>connect needs exactly one URL (see &apos;sockpit connect --help&apos;).</source>
        <translation>connect braucht genau eine URL (siehe „sockpit connect --help“).</translation>
    </message>
    <message>
        <source>--header &quot;%1&quot;: expected &quot;Name: value&quot;.</source>
        <translation>--header „%1“: erwartet wird „Name: Wert“.</translation>
    </message>
    <message>
        <source>--frame-size: expected a positive number of bytes.</source>
        <translation>--frame-size: erwartet wird eine positive Anzahl Bytes.</translation>
    </message>
    <message>
        <source>--expect: expected a number of messages.</source>
        <translation>--expect: erwartet wird eine Anzahl Nachrichten.</translation>
    </message>
    <message>
        <source>--timeout: expected a positive number of seconds.</source>
        <translation>--timeout: erwartet wird eine positive Anzahl Sekunden.</translation>
    </message>
    <message>
        <source>--close: %1 is not a close code that may be sent (RFC 6455 section 7.4).</source>
        <translation>--close: %1 ist kein sendbarer Close-Code (RFC 6455, Abschnitt 7.4).</translation>
    </message>
    <message>
        <source>--close: the reason must fit in 123 bytes (RFC 6455 section 5.5).</source>
        <translation>--close: Der Grund muss in 123 Bytes passen (RFC 6455, Abschnitt 5.5).</translation>
    </message>
    <message>
        <source>--log: %1</source>
        <translation>--log: %1</translation>
    </message>
    <message>
        <source>connected to %1</source>
        <translation>verbunden mit %1</translation>
    </message>
    <message>
        <source> (subprotocol %1)</source>
        <translation> (Subprotokoll %1)</translation>
    </message>
    <message>
        <source>timed out after %1 s with %2 of %3 expected messages</source>
        <translation>Zeitüberschreitung nach %1 s mit %2 von %3 erwarteten Nachrichten</translation>
    </message>
    <message>
        <source>--listen: expected [IPV6]:PORT, got &quot;%1&quot;.</source>
        <translation>--listen: erwartet wird [IPV6]:PORT, erhalten „%1“.</translation>
    </message>
    <message>
        <source>--listen: expected HOST:PORT (an IPv6 host in brackets), got &quot;%1&quot;.</source>
        <translation>--listen: erwartet wird HOST:PORT (ein IPv6-Host in eckigen Klammern), erhalten „%1“.</translation>
    </message>
    <message>
        <source>--listen: &quot;%1&quot; is not a port number (0-65535).</source>
        <translation>--listen: „%1“ ist keine Portnummer (0–65535).</translation>
    </message>
    <message>
        <source>--close-after: &quot;%1&quot; is not a number of seconds.</source>
        <translation>--close-after: „%1“ ist keine Anzahl Sekunden.</translation>
    </message>
    <message>
        <source>--close-after: &quot;%1&quot; is not a close code that may be sent.</source>
        <translation>--close-after: „%1“ ist kein sendbarer Close-Code.</translation>
    </message>
    <message>
        <source>--close-after: the reason is longer than 123 bytes.</source>
        <translation>--close-after: Der Grund ist länger als 123 Bytes.</translation>
    </message>
    <message>
        <source>Run the embedded WebSocket server without a window.</source>
        <translation>Den eingebetteten WebSocket-Server ohne Fenster betreiben.</translation>
    </message>
    <message>
        <source>HOST:PORT</source>
        <translation>HOST:PORT</translation>
    </message>
    <message>
        <source>echo, broadcast or silent (default echo).</source>
        <translation>echo, broadcast oder silent (Standard echo).</translation>
    </message>
    <message>
        <source>MODE</source>
        <translation>MODUS</translation>
    </message>
    <message>
        <source>What is sent back; %m is the received message.</source>
        <translation>Was zurückgesendet wird; %m ist die empfangene Nachricht.</translation>
    </message>
    <message>
        <source>TEMPLATE</source>
        <translation>VORLAGE</translation>
    </message>
    <message>
        <source>Close each connection that long after it opens.</source>
        <translation>Jede Verbindung so lange nach dem Öffnen schließen.</translation>
    </message>
    <message>
        <source>SECONDS[:CODE[:REASON]]</source>
        <translation>SEKUNDEN[:CODE[:GRUND]]</translation>
    </message>
    <message>
        <source>An accepted subprotocol (repeatable, preferred first).</source>
        <translation>Ein akzeptiertes Subprotokoll (wiederholbar, bevorzugtes zuerst).</translation>
    </message>
    <message>
        <source>An allowed Origin (repeatable); others get HTTP 403.</source>
        <translation>Ein erlaubter Origin (wiederholbar); andere erhalten HTTP 403.</translation>
    </message>
    <message>
        <source>Largest incoming message (default 16 MiB); larger ones close with 1009.</source>
        <translation>Größte eingehende Nachricht (Standard 16 MiB); größere schließen mit 1009.</translation>
    </message>
    <message>
        <source>Certificate chain (PEM) or PKCS#12 bundle for wss.</source>
        <translation>Zertifikatskette (PEM) oder PKCS#12-Bündel für wss.</translation>
    </message>
    <message>
        <source>Private key (PEM) for wss.</source>
        <translation>Privater Schlüssel (PEM) für wss.</translation>
    </message>
    <message>
        <source>File whose first line is the key&apos;s (or bundle&apos;s) passphrase.</source>
        <translation>Datei, deren erste Zeile die Passphrase des Schlüssels (oder Bündels) ist.</translation>
    </message>
    <message>
        <source>Serve wss with a localhost certificate generated in memory.</source>
        <translation>wss mit einem im Speicher erzeugten localhost-Zertifikat bereitstellen.</translation>
    </message>
    <message>
        <source>Write the JSON Lines event log here (&quot;-&quot;: stdout).</source>
        <translation>Das JSON-Lines-Ereignisprotokoll hierhin schreiben („-“: stdout).</translation>
    </message>
    <message>
        <source>serve takes no arguments, got &quot;%1&quot;.</source>
        <translation>serve nimmt keine Argumente, erhalten „%1“.</translation>
    </message>
    <message>
        <source>--mode: expected echo, broadcast or silent, got &quot;%1&quot;.</source>
        <translation>--mode: erwartet wird echo, broadcast oder silent, erhalten „%1“.</translation>
    </message>
    <message>
        <source>--max-message-size: &quot;%1&quot; is not a positive number of bytes.</source>
        <translation>--max-message-size: „%1“ ist keine positive Anzahl Bytes.</translation>
    </message>
    <message>
        <source>--tls-self-signed cannot be combined with --tls-cert/--tls-key.</source>
        <translation>--tls-self-signed kann nicht mit --tls-cert/--tls-key kombiniert werden.</translation>
    </message>
    <message>
        <source>--tls-key-passphrase-file needs --tls-cert.</source>
        <translation>--tls-key-passphrase-file braucht --tls-cert.</translation>
    </message>
    <message>
        <source>--tls-key needs --tls-cert.</source>
        <translation>--tls-key braucht --tls-cert.</translation>
    </message>
    <message>
        <source>Cannot read the passphrase file %1: %2</source>
        <translation>Die Passphrase-Datei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Cannot open the log %1: %2</source>
        <translation>Das Protokoll %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>certificate SHA-256 fingerprint: %1</source>
        <translation>SHA-256-Fingerabdruck des Zertifikats: %1</translation>
    </message>
    <message>
        <source>--%1: expected a number from %2 to %3.</source>
        <translation>--%1: erwartet wird eine Zahl von %2 bis %3.</translation>
    </message>
    <message>
        <source>Load generator: N connections each send a text message of SIZE bytes, wait for any reply (the round trip is one latency sample) and repeat, until M messages per connection or the duration is over. Prints a JSON summary to stdout.
Exit codes: 0 when every connection opened, 1 otherwise, 2 on usage errors.</source>
        <translation>Lastgenerator: N Verbindungen senden jeweils eine Textnachricht von SIZE Bytes, warten auf eine beliebige Antwort (die Umlaufzeit ist ein Latenzmesswert) und wiederholen das, bis M Nachrichten pro Verbindung gesendet sind oder die Dauer abgelaufen ist. Gibt eine JSON-Zusammenfassung auf stdout aus.
Exit-Codes: 0, wenn sich jede Verbindung geöffnet hat, sonst 1, 2 bei Aufruffehlern.</translation>
    </message>
    <message>
        <source>ws:// or wss:// URL of an echo server</source>
        <translation>ws://- oder wss://-URL eines Echo-Servers</translation>
    </message>
    <message>
        <source>Parallel connections (default 1, at most 1000).</source>
        <translation>Parallele Verbindungen (Standard 1, höchstens 1000).</translation>
    </message>
    <message>
        <source>Messages per connection (default 100).</source>
        <translation>Nachrichten pro Verbindung (Standard 100).</translation>
    </message>
    <message>
        <source>M</source>
        <translation>M</translation>
    </message>
    <message>
        <source>Message size in bytes (default 32).</source>
        <translation>Nachrichtengröße in Bytes (Standard 32).</translation>
    </message>
    <message>
        <source>Stop after this long (default 10).</source>
        <translation>Nach dieser Dauer aufhören (Standard 10).</translation>
    </message>
    <message>
        <source>Ignore certificate errors.</source>
        <translation>Zertifikatsfehler ignorieren.</translation>
    </message>
    <message>
        <source>bench needs exactly one URL (see &apos;sockpit bench --help&apos;).</source>
        <translation>bench braucht genau eine URL (siehe „sockpit bench --help“).</translation>
    </message>
    <message>
        <source>Mutual TLS: wss clients must present a certificate from these CAs (PEM).</source>
        <translation>Gegenseitiges TLS: wss-Clients müssen ein Zertifikat dieser CAs vorlegen (PEM).</translation>
    </message>
    <message>
        <source>Refuse wss clients without a certificate (implied by --tls-client-ca).</source>
        <translation>wss-Clients ohne Zertifikat abweisen (durch --tls-client-ca impliziert).</translation>
    </message>
    <message>
        <source>--tls-client-ca and --tls-require-client-cert need wss (--tls-cert or --tls-self-signed).</source>
        <translation>--tls-client-ca und --tls-require-client-cert brauchen wss (--tls-cert oder --tls-self-signed).</translation>
    </message>
    <message>
        <source>--tls-require-client-cert needs --tls-client-ca FILE.</source>
        <translation>--tls-require-client-cert braucht --tls-client-ca DATEI.</translation>
    </message>
    <message>
        <source>--listen: &quot;%1&quot; is not localhost or an IP address.</source>
        <translation>--listen: „%1“ ist weder localhost noch eine IP-Adresse.</translation>
    </message>
    <message>
        <source>Where to listen (default localhost:8080, that is 127.0.0.1 and ::1; port 0 picks a free one).</source>
        <translation>Wo gelauscht wird (Standard localhost:8080, also 127.0.0.1 und ::1; Port 0 wählt einen freien).</translation>
    </message>
    <message>
        <source>Seconds a client has, from the TCP accept, to complete the opening handshake (default 10).</source>
        <translation>Sekunden, die ein Client ab der TCP-Annahme für den Eröffnungs-Handshake hat (Standard 10).</translation>
    </message>
    <message>
        <source>Largest upgrade request head in bytes (default 16384); larger ones get 431.</source>
        <translation>Größter Kopf einer Upgrade-Anfrage in Bytes (Standard 16384); größere erhalten 431.</translation>
    </message>
    <message>
        <source>Longest request or header line in bytes (default and most 8000); longer ones get 431.</source>
        <translation>Längste Anfrage- oder Kopfzeile in Bytes (Standard und Höchstwert 8000); längere erhalten 431.</translation>
    </message>
    <message>
        <source>Most header fields in an upgrade request (default and most 100); more get 431.</source>
        <translation>Höchstzahl der Kopffelder einer Upgrade-Anfrage (Standard und Höchstwert 100); mehr erhalten 431.</translation>
    </message>
    <message>
        <source>COUNT</source>
        <translation>ANZAHL</translation>
    </message>
    <message>
        <source>--%1: &quot;%2&quot; is not a number from %3 to %4.</source>
        <translation>--%1: „%2“ ist keine Zahl von %3 bis %4.</translation>
    </message>
    <message>
        <source>--max-header-fields: &quot;%1&quot; is not a number from 1 to %2.</source>
        <translation>--max-header-fields: „%1“ ist keine Zahl von 1 bis %2.</translation>
    </message>
    <message>
        <source>--handshake-timeout: &quot;%1&quot; is not a number of seconds from 0.1 to 3600.</source>
        <translation>--handshake-timeout: „%1“ ist keine Sekundenzahl von 0,1 bis 3600.</translation>
    </message>
    <message>
        <source>Open one WebSocket connection without a window (like wscat -c).
Received text messages are printed to stdout, one a line (binary as hex); status lines go to stderr.
When it ends: with --expect N, after N received messages; with --stdin, when standard input ends; otherwise when the server closes, on SIGINT/SIGTERM (close 1001), or when --timeout elapses (then it closes with --close and exits 0).
Exit codes: 0 after a closing handshake, 1 on a connection, handshake or TLS failure, an abnormal end (1006), a connection the client failed because the server broke the protocol (1002, 1007) or sent a message over --max-message-size (1009), or --expect not met in time, 2 on usage errors.</source>
        <translation>Eine WebSocket-Verbindung ohne Fenster öffnen (wie wscat -c).
Empfangene Textnachrichten werden auf stdout ausgegeben, eine pro Zeile (binäre als Hex); Statuszeilen gehen nach stderr.
Ende: mit --expect N nach N empfangenen Nachrichten; mit --stdin, wenn die Standardeingabe endet; sonst, wenn der Server schließt, bei SIGINT/SIGTERM (Schließen mit 1001) oder wenn --timeout abläuft (dann wird mit --close geschlossen und mit 0 beendet).
Exit-Codes: 0 nach einem schließenden Handshake, 1 bei einem Verbindungs-, Handshake- oder TLS-Fehler, einem abnormalen Ende (1006), einer Verbindung, die der Client abgebrochen hat, weil der Server das Protokoll verletzt (1002, 1007) oder eine Nachricht über --max-message-size gesendet hat (1009), oder nicht rechtzeitig erfülltem --expect, 2 bei Aufruffehlern.</translation>
    </message>
    <message>
        <source>Largest message accepted from the server, in bytes (default 16777216, 16 MiB); a larger one closes the connection with 1009.</source>
        <translation>Größte vom Server angenommene Nachricht in Bytes (Standard 16777216, 16 MiB); eine größere schließt die Verbindung mit 1009.</translation>
    </message>
    <message>
        <source>--max-message-size: expected a number of bytes from 1 to %1.</source>
        <translation>--max-message-size: erwartet wird eine Anzahl Bytes von 1 bis %1.</translation>
    </message>
</context>
<context>
    <name>sockpit::client::WireTap</name>
    <message>
        <source>The wire tap received an oversized proxy request.</source>
        <translation>Der Leitungsabgriff hat eine übergroße Proxy-Anfrage erhalten.</translation>
    </message>
    <message>
        <source>The wire tap received a request it does not understand.</source>
        <translation>Der Leitungsabgriff hat eine Anfrage erhalten, die er nicht versteht.</translation>
    </message>
    <message>
        <source>Connection refused by %1: nothing is listening there.</source>
        <translation>Verbindung von %1 abgelehnt: Dort lauscht nichts.</translation>
    </message>
    <message>
        <source>The host name &quot;%1&quot; could not be resolved.</source>
        <translation>Der Hostname „%1“ konnte nicht aufgelöst werden.</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2.</source>
        <translation>Verbindung mit %1 nicht möglich: %2.</translation>
    </message>
    <message>
        <source>Timed out after %1 ms while connecting to %2.</source>
        <translation>Zeitüberschreitung nach %1 ms beim Verbinden mit %2.</translation>
    </message>
    <message>
        <source>no TLS library is available to Qt</source>
        <translation>Qt steht keine TLS-Bibliothek zur Verfügung</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>Der TLS-Handshake mit %1 ist fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>the server&apos;s Close frame has a 1-byte body, too short for a status code (RFC 6455 section 5.5.1)</source>
        <translation>der Close-Frame des Servers hat einen 1 Byte langen Inhalt, zu kurz für einen Statuscode (RFC 6455, Abschnitt 5.5.1)</translation>
    </message>
    <message>
        <source>the server&apos;s Close frame carries close code %1, which must not be sent (RFC 6455 section 7.4)</source>
        <translation>der Close-Frame des Servers trägt den Close-Code %1, der nicht gesendet werden darf (RFC 6455, Abschnitt 7.4)</translation>
    </message>
    <message>
        <source>the reason in the server&apos;s Close frame is not valid UTF-8 (RFC 6455 section 5.5.1)</source>
        <translation>der Grund im Close-Frame des Servers ist kein gültiges UTF-8 (RFC 6455, Abschnitt 5.5.1)</translation>
    </message>
    <message>
        <source>the bytes %1</source>
        <translation>den Bytes %1</translation>
    </message>
    <message>
        <source>The server&apos;s HTTP response head is larger than %1 bytes.</source>
        <translation>Der HTTP-Antwortkopf des Servers ist größer als %1 Bytes.</translation>
    </message>
    <message>
        <source>The server&apos;s answer is not a valid HTTP response head; its first line is %1.</source>
        <translation>Die Antwort des Servers ist kein gültiger HTTP-Antwortkopf; ihre erste Zeile ist %1.</translation>
    </message>
    <message>
        <source>The server&apos;s answer is not HTTP: it began with %1 where a status line such as &quot;HTTP/1.1 101 Switching Protocols&quot; was expected.</source>
        <translation>Die Antwort des Servers ist kein HTTP: Sie begann mit %1, wo eine Statuszeile wie „HTTP/1.1 101 Switching Protocols“ erwartet wurde.</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects the extension &quot;%1&quot;, which the client did not offer (RFC 6455 section 4.1).</source>
        <translation>Die Handshake-Antwort des Servers wählt die Erweiterung „%1“, die der Client nicht angeboten hat (RFC 6455, Abschnitt 4.1).</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects %1 subprotocols (&quot;%2&quot;); it must select one of those requested (RFC 6455 section 4.1).</source>
        <translation>Die Handshake-Antwort des Servers wählt %1 Subprotokolle („%2“); sie muss eines der angefragten wählen (RFC 6455, Abschnitt 4.1).</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects the subprotocol &quot;%1&quot;, which the client did not request (RFC 6455 section 4.1).</source>
        <translation>Die Handshake-Antwort des Servers wählt das Subprotokoll „%1“, das der Client nicht angefragt hat (RFC 6455, Abschnitt 4.1).</translation>
    </message>
    <message>
        <source>the server sent a masked frame (RFC 6455 section 5.1)</source>
        <translation>der Server hat einen maskierten Frame gesendet (RFC 6455, Abschnitt 5.1)</translation>
    </message>
    <message>
        <source>The server&apos;s answer ended before its HTTP head was complete; it began with %1.</source>
        <translation>Die Antwort des Servers endete, bevor ihr HTTP-Kopf vollständig war; sie begann mit %1.</translation>
    </message>
</context>
<context>
    <name>sockpit::frames::FrameDecoder</name>
    <message>
        <source>RSV bits set without a negotiated extension (RFC 6455 section 5.2)</source>
        <translation>RSV-Bits ohne ausgehandelte Erweiterung gesetzt (RFC 6455, Abschnitt 5.2)</translation>
    </message>
    <message>
        <source>reserved opcode 0x%1 (RFC 6455 section 5.2)</source>
        <translation>reservierter Opcode 0x%1 (RFC 6455, Abschnitt 5.2)</translation>
    </message>
    <message>
        <source>fragmented control frame (RFC 6455 section 5.5)</source>
        <translation>fragmentierter Steuer-Frame (RFC 6455, Abschnitt 5.5)</translation>
    </message>
    <message>
        <source>control frame payload longer than 125 bytes (RFC 6455 section 5.5)</source>
        <translation>Nutzdaten eines Steuer-Frames länger als 125 Bytes (RFC 6455, Abschnitt 5.5)</translation>
    </message>
    <message>
        <source>payload length %1 not minimally encoded in 16 bits (RFC 6455 section 5.2)</source>
        <translation>Nutzdatenlänge %1 nicht minimal in 16 Bit kodiert (RFC 6455, Abschnitt 5.2)</translation>
    </message>
    <message>
        <source>64-bit payload length with the most significant bit set (RFC 6455 section 5.2)</source>
        <translation>64-Bit-Nutzdatenlänge mit gesetztem höchstwertigem Bit (RFC 6455, Abschnitt 5.2)</translation>
    </message>
    <message>
        <source>payload length %1 not minimally encoded in 64 bits (RFC 6455 section 5.2)</source>
        <translation>Nutzdatenlänge %1 nicht minimal in 64 Bit kodiert (RFC 6455, Abschnitt 5.2)</translation>
    </message>
    <message>
        <source>frame payload of %1 bytes exceeds the limit of %2 bytes (RFC 6455 section 7.4.1, 1009)</source>
        <translation>Frame-Nutzdaten von %1 Bytes überschreiten die Grenze von %2 Bytes (RFC 6455, Abschnitt 7.4.1, 1009)</translation>
    </message>
</context>
<context>
    <name>sockpit::frames::MessageAssembler</name>
    <message>
        <source>continuation frame without a message to continue (RFC 6455 section 5.4)</source>
        <translation>Fortsetzungs-Frame ohne fortzusetzende Nachricht (RFC 6455, Abschnitt 5.4)</translation>
    </message>
    <message>
        <source>new data frame while a fragmented message is unfinished (RFC 6455 section 5.4)</source>
        <translation>neuer Daten-Frame, während eine fragmentierte Nachricht unvollendet ist (RFC 6455, Abschnitt 5.4)</translation>
    </message>
    <message>
        <source>message larger than the limit of %1 bytes (RFC 6455 section 7.4.1, 1009)</source>
        <translation>Nachricht größer als die Grenze von %1 Bytes (RFC 6455, Abschnitt 7.4.1, 1009)</translation>
    </message>
    <message>
        <source>text message is not valid UTF-8 (RFC 6455 section 8.1)</source>
        <translation>Textnachricht ist kein gültiges UTF-8 (RFC 6455, Abschnitt 8.1)</translation>
    </message>
</context>
<context>
    <name>sockpit::protocol</name>
    <message>
        <source>The request is empty.</source>
        <translation>Die Anfrage ist leer.</translation>
    </message>
    <message>
        <source>The request line is not &quot;METHOD TARGET HTTP/1.1&quot;.</source>
        <translation>Die Anfragezeile hat nicht die Form „METHODE ZIEL HTTP/1.1“.</translation>
    </message>
    <message>
        <source>The request method is not a valid token.</source>
        <translation>Die Anfragemethode ist kein gültiges Token.</translation>
    </message>
    <message>
        <source>The request target contains white space.</source>
        <translation>Das Anfrageziel enthält Leerraum.</translation>
    </message>
    <message>
        <source>The request line does not end with an HTTP version.</source>
        <translation>Die Anfragezeile endet nicht mit einer HTTP-Version.</translation>
    </message>
    <message>
        <source>A header field is folded over several lines.</source>
        <translation>Ein Header-Feld ist über mehrere Zeilen umbrochen.</translation>
    </message>
    <message>
        <source>A header line has no name followed by a colon.</source>
        <translation>Eine Header-Zeile hat keinen Namen mit folgendem Doppelpunkt.</translation>
    </message>
    <message>
        <source>A header name is not a valid token.</source>
        <translation>Ein Header-Name ist kein gültiges Token.</translation>
    </message>
    <message>
        <source>A WebSocket handshake must use the GET method.</source>
        <translation>Ein WebSocket-Handshake muss die Methode GET verwenden.</translation>
    </message>
    <message>
        <source>A WebSocket handshake needs HTTP/1.1 or later.</source>
        <translation>Ein WebSocket-Handshake braucht HTTP/1.1 oder neuer.</translation>
    </message>
    <message>
        <source>This is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket).</source>
        <translation>Dies ist ein WebSocket-Endpunkt: Verbinden Sie sich mit einem WebSocket-Client (Upgrade: websocket).</translation>
    </message>
    <message>
        <source>The handshake has no Host header.</source>
        <translation>Der Handshake hat keinen Host-Header.</translation>
    </message>
    <message>
        <source>The Upgrade header does not ask for &quot;websocket&quot;.</source>
        <translation>Der Upgrade-Header verlangt nicht „websocket“.</translation>
    </message>
    <message>
        <source>The Connection header does not contain &quot;Upgrade&quot;.</source>
        <translation>Der Connection-Header enthält nicht „Upgrade“.</translation>
    </message>
    <message>
        <source>The handshake has no Sec-WebSocket-Key header.</source>
        <translation>Der Handshake hat keinen Sec-WebSocket-Key-Header.</translation>
    </message>
    <message>
        <source>The Sec-WebSocket-Key is not the base64 of 16 bytes.</source>
        <translation>Der Sec-WebSocket-Key ist nicht das Base64 von 16 Bytes.</translation>
    </message>
    <message>
        <source>The handshake has no Sec-WebSocket-Version header.</source>
        <translation>Der Handshake hat keinen Sec-WebSocket-Version-Header.</translation>
    </message>
    <message>
        <source>WebSocket version %1 is not supported; this server speaks version 13.</source>
        <translation>WebSocket-Version %1 wird nicht unterstützt; dieser Server spricht Version 13.</translation>
    </message>
    <message>
        <source>The origin %1 is not allowed.</source>
        <translation>Der Origin %1 ist nicht erlaubt.</translation>
    </message>
    <message>
        <source>The handshake has no Origin header and only listed origins are allowed.</source>
        <translation>Der Handshake hat keinen Origin-Header, und nur aufgeführte Origins sind erlaubt.</translation>
    </message>
    <message>
        <source>The request head is larger than %1 bytes.</source>
        <translation>Der Anfragekopf ist größer als %1 Bytes.</translation>
    </message>
    <message>
        <source>A line of the request is longer than %1 bytes.</source>
        <translation>Eine Zeile der Anfrage ist länger als %1 Bytes.</translation>
    </message>
    <message>
        <source>This is a plain ws:// server, and the client began a TLS handshake: connect with ws://, or serve wss:// with a certificate.</source>
        <translation>Dies ist ein einfacher ws://-Server, und der Client hat einen TLS-Handshake begonnen: Verbinden Sie mit ws:// oder bieten Sie wss:// mit einem Zertifikat an.</translation>
    </message>
    <message>
        <source>The request does not start with an HTTP method.</source>
        <translation>Die Anfrage beginnt nicht mit einer HTTP-Methode.</translation>
    </message>
    <message>
        <source>The request&apos;s lines must end with CR LF.</source>
        <translation>Die Zeilen der Anfrage müssen mit CR LF enden.</translation>
    </message>
    <message>
        <source>The request has more than %1 header fields.</source>
        <translation>Die Anfrage hat mehr als %1 Kopffelder.</translation>
    </message>
    <message>
        <source>This server speaks HTTP/1.1; the request says %1.</source>
        <translation>Dieser Server spricht HTTP/1.1; die Anfrage nennt %1.</translation>
    </message>
    <message>
        <source>The request target %1 is not a path such as /chat.</source>
        <translation>Das Anfrageziel %1 ist kein Pfad wie /chat.</translation>
    </message>
</context>
</TS>
