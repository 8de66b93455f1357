<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
<context>
    <name>CloseCodes</name>
    <message>
        <source>Normal Closure</source>
        <translation>Fermeture normale</translation>
    </message>
    <message>
        <source>The purpose of the connection has been fulfilled.</source>
        <translation>L’objectif de la connexion est atteint.</translation>
    </message>
    <message>
        <source>Going Away</source>
        <translation>Départ</translation>
    </message>
    <message>
        <source>An endpoint is going away, such as a server shutting down or a browser leaving the page.</source>
        <translation>Un point de terminaison s’en va, par exemple un serveur qui s’arrête ou un navigateur qui quitte la page.</translation>
    </message>
    <message>
        <source>Protocol Error</source>
        <translation>Erreur de protocole</translation>
    </message>
    <message>
        <source>An endpoint received a frame that breaks the protocol.</source>
        <translation>Un point de terminaison a reçu une trame qui enfreint le protocole.</translation>
    </message>
    <message>
        <source>Unsupported Data</source>
        <translation>Données non prises en charge</translation>
    </message>
    <message>
        <source>An endpoint received a type of data it cannot accept (for example binary when it only understands text).</source>
        <translation>Un point de terminaison a reçu un type de données qu’il ne peut pas accepter (par exemple du binaire alors qu’il ne comprend que le texte).</translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation>Réservé</translation>
    </message>
    <message>
        <source>Reserved; its meaning might be defined in the future.</source>
        <translation>Réservé ; sa signification pourra être définie à l’avenir.</translation>
    </message>
    <message>
        <source>No Status Received</source>
        <translation>Aucun statut reçu</translation>
    </message>
    <message>
        <source>The Close frame carried no status code. Never sent on the wire.</source>
        <translation>La trame Close ne contenait aucun code d’état. Jamais envoyé sur le réseau.</translation>
    </message>
    <message>
        <source>Abnormal Closure</source>
        <translation>Fermeture anormale</translation>
    </message>
    <message>
        <source>The connection ended without a Close frame (dropped, reset or timed out). Never sent on the wire.</source>
        <translation>La connexion s’est terminée sans trame Close (perdue, réinitialisée ou expirée). Jamais envoyé sur le réseau.</translation>
    </message>
    <message>
        <source>Invalid Frame Payload Data</source>
        <translation>Données de trame non valides</translation>
    </message>
    <message>
        <source>A message&apos;s data was not consistent with its type, such as text that is not valid UTF-8.</source>
        <translation>Les données d’un message ne correspondaient pas à son type, par exemple du texte qui n’est pas de l’UTF-8 valide.</translation>
    </message>
    <message>
        <source>Policy Violation</source>
        <translation>Violation de politique</translation>
    </message>
    <message>
        <source>A message violated the endpoint&apos;s policy.</source>
        <translation>Un message a enfreint la politique du point de terminaison.</translation>
    </message>
    <message>
        <source>Message Too Big</source>
        <translation>Message trop volumineux</translation>
    </message>
    <message>
        <source>A message was too big for the endpoint to process.</source>
        <translation>Un message était trop volumineux pour être traité par le point de terminaison.</translation>
    </message>
    <message>
        <source>Mandatory Extension</source>
        <translation>Extension obligatoire</translation>
    </message>
    <message>
        <source>The client expected the server to negotiate an extension that it did not.</source>
        <translation>Le client attendait du serveur qu’il négocie une extension, ce qu’il n’a pas fait.</translation>
    </message>
    <message>
        <source>Internal Error</source>
        <translation>Erreur interne</translation>
    </message>
    <message>
        <source>The server met an unexpected condition that kept it from fulfilling the request.</source>
        <translation>Le serveur a rencontré une situation inattendue qui l’a empêché de satisfaire la requête.</translation>
    </message>
    <message>
        <source>Service Restart</source>
        <translation>Redémarrage du service</translation>
    </message>
    <message>
        <source>The service is restarting.</source>
        <translation>Le service redémarre.</translation>
    </message>
    <message>
        <source>Try Again Later</source>
        <translation>Réessayer plus tard</translation>
    </message>
    <message>
        <source>The service is overloaded or temporarily unavailable; try again later.</source>
        <translation>Le service est surchargé ou temporairement indisponible ; réessayez plus tard.</translation>
    </message>
    <message>
        <source>Bad Gateway</source>
        <translation>Passerelle incorrecte</translation>
    </message>
    <message>
        <source>A gateway or proxy received an invalid response from the upstream server.</source>
        <translation>Une passerelle ou un proxy a reçu une réponse non valide du serveur en amont.</translation>
    </message>
    <message>
        <source>TLS Handshake Failure</source>
        <translation>Échec de la négociation TLS</translation>
    </message>
    <message>
        <source>The TLS handshake failed, for example the certificate could not be verified. Never sent on the wire.</source>
        <translation>La négociation TLS a échoué, par exemple parce que le certificat n’a pas pu être vérifié. Jamais envoyé sur le réseau.</translation>
    </message>
</context>
<context>
    <name>EventInspector</name>
    <message>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
</context>
<context>
    <name>HandshakeView</name>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Hex: &quot;%1&quot; at position %2 is not a hex digit.</source>
        <translation>Hex : « %1 » à la position %2 n’est pas un chiffre hexadécimal.</translation>
    </message>
    <message>
        <source>Hex: an odd number of digits (%1); each byte needs two.</source>
        <translation>Hex : nombre impair de chiffres (%1) ; chaque octet en demande deux.</translation>
    </message>
    <message>
        <source>Base64: the text is not valid base64.</source>
        <translation>Base64 : le texte n’est pas du base64 valide.</translation>
    </message>
    <message>
        <source>JSON error at line %1, column %2 (offset %3): %4</source>
        <translation>Erreur JSON à la ligne %1, colonne %2 (position %3) : %4</translation>
    </message>
    <message>
        <source>unexpected character</source>
        <translation>caractère inattendu</translation>
    </message>
</context>
<context>
    <name>Tls</name>
    <message>
        <source>No file was chosen.</source>
        <translation>Aucun fichier n’a été choisi.</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>Le fichier %1 n’existe pas.</translation>
    </message>
    <message>
        <source>%1 is a folder, not a file.</source>
        <translation>%1 est un dossier, pas un fichier.</translation>
    </message>
    <message>
        <source>%1 is too large (%2 bytes) to be a certificate or key file.</source>
        <translation>%1 est trop volumineux (%2 octets) pour être un fichier de certificat ou de clé.</translation>
    </message>
    <message>
        <source>The file %1 cannot be read: %2.</source>
        <translation>Le fichier %1 ne peut pas être lu : %2.</translation>
    </message>
    <message>
        <source>%1 holds a private key, not a certificate. Choose the certificate file (&quot;-----BEGIN CERTIFICATE-----&quot;) there.</source>
        <translation>%1 contient une clé privée, pas un certificat. Choisissez ici le fichier du certificat (« -----BEGIN CERTIFICATE----- »).</translation>
    </message>
    <message>
        <source>%1 has a certificate block that cannot be decoded; the file is damaged.</source>
        <translation>%1 contient un bloc de certificat impossible à décoder ; le fichier est endommagé.</translation>
    </message>
    <message>
        <source>%1 is not a certificate: expected PEM (&quot;-----BEGIN CERTIFICATE-----&quot;), DER or a PKCS#12 bundle.</source>
        <translation>%1 n’est pas un certificat : PEM (« -----BEGIN CERTIFICATE----- »), DER ou un paquet PKCS#12 attendu.</translation>
    </message>
    <message>
        <source>The private key in %1 is of a kind that cannot be used here.</source>
        <translation>La clé privée de %1 est d’un type inutilisable ici.</translation>
    </message>
    <message>
        <source>The private key in %1 is encrypted; enter its passphrase.</source>
        <translation>La clé privée de %1 est chiffrée ; saisissez sa phrase secrète.</translation>
    </message>
    <message>
        <source>The passphrase for the private key in %1 is wrong.</source>
        <translation>La phrase secrète de la clé privée de %1 est incorrecte.</translation>
    </message>
    <message>
        <source>No key file was chosen and %1 holds no private key. Choose the key file too.</source>
        <translation>Aucun fichier de clé n’a été choisi et %1 ne contient aucune clé privée. Choisissez aussi le fichier de clé.</translation>
    </message>
    <message>
        <source>%1 holds a certificate, not a private key. Choose the key file (&quot;-----BEGIN PRIVATE KEY-----&quot;) there.</source>
        <translation>%1 contient un certificat, pas une clé privée. Choisissez ici le fichier de clé (« -----BEGIN PRIVATE KEY----- »).</translation>
    </message>
    <message>
        <source>%1 is not a private key: expected PEM (&quot;-----BEGIN PRIVATE KEY-----&quot;) or DER.</source>
        <translation>%1 n’est pas une clé privée : PEM (« -----BEGIN PRIVATE KEY----- ») ou DER attendu.</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 is protected by a password; enter it.</source>
        <translation>Le paquet PKCS#12 %1 est protégé par un mot de passe ; saisissez-le.</translation>
    </message>
    <message>
        <source>The password for the PKCS#12 bundle %1 is wrong.</source>
        <translation>Le mot de passe du paquet PKCS#12 %1 est incorrect.</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 cannot be opened: it uses an encryption this OpenSSL does not offer. Export it again with AES (openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC).</source>
        <translation>Le paquet PKCS#12 %1 ne peut pas être ouvert : il utilise un chiffrement que cet OpenSSL ne propose pas. Exportez-le de nouveau avec AES (openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC).</translation>
    </message>
    <message>
        <source>The certificate in %1 expired on %2.</source>
        <translation>Le certificat de %1 a expiré le %2.</translation>
    </message>
    <message>
        <source>The certificate in %1 is not valid before %2 (check the computer&apos;s clock).</source>
        <translation>Le certificat de %1 n’est pas valide avant le %2 (vérifiez l’horloge de l’ordinateur).</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 holds no certificate.</source>
        <translation>Le paquet PKCS#12 %1 ne contient aucun certificat.</translation>
    </message>
    <message>
        <source>The PKCS#12 bundle %1 holds no private key. Choose a key file too.</source>
        <translation>Le paquet PKCS#12 %1 ne contient aucune clé privée. Choisissez aussi un fichier de clé.</translation>
    </message>
    <message>
        <source>The private key in %1 does not belong to its certificate.</source>
        <translation>La clé privée de %1 ne correspond pas à son certificat.</translation>
    </message>
    <message>
        <source>The private key in %1 does not belong to the certificate in %2.</source>
        <translation>La clé privée de %1 ne correspond pas au certificat de %2.</translation>
    </message>
    <message>
        <source>The certificate could not be made (%1: %2).</source>
        <translation>Le certificat n’a pas pu être créé (%1 : %2).</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison donnée</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2.</source>
        <translation>%1 ne peut pas être écrit : %2.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is neither a host name nor an IP address.</source>
        <translation>« %1 » n’est ni un nom d’hôte ni une adresse IP.</translation>
    </message>
    <message>
        <source>The private key could not be encrypted for %1.</source>
        <translation>La clé privée n’a pas pu être chiffrée pour %1.</translation>
    </message>
    <message>
        <source>A secure server needs a certificate: choose a certificate file (and its key), or a self-signed certificate.</source>
        <translation>Un serveur sécurisé a besoin d’un certificat : choisissez un fichier de certificat (et sa clé) ou un certificat auto-signé.</translation>
    </message>
    <message>
        <source>Requiring client certificates needs the file of the CA certificates that sign them.</source>
        <translation>Exiger des certificats clients nécessite le fichier des certificats d’AC qui les signent.</translation>
    </message>
    <message>
        <source>A client key was chosen without its certificate: choose the client certificate file too.</source>
        <translation>Une clé client a été choisie sans son certificat : choisissez aussi le fichier du certificat client.</translation>
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
        <translation>Utilisation :
  sockpit [--lang CODE] [WORKSPACE]   ouvrir la fenêtre (WORKSPACE : un journal JSON Lines)
  sockpit serve [options]             lancer le serveur intégré sans fenêtre
  sockpit connect URL [options]       un client sans fenêtre
  sockpit bench URL [options]         générateur de charge
  sockpit --version | --help

Lancez « sockpit COMMANDE --help » pour les options d’une commande.
</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>Afficher cette aide.</translation>
    </message>
    <message>
        <source>Usage: %1</source>
        <translation>Utilisation : %1</translation>
    </message>
    <message>
        <source>unknown command &apos;%1&apos; (and no such file); the commands are serve, connect and bench: see &apos;sockpit --help&apos;.</source>
        <translation>commande inconnue « %1 » (et aucun fichier de ce nom) ; les commandes sont serve, connect et bench : voir « sockpit --help ».</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientSession</name>
    <message>
        <source>(generated by Qt, not observed)</source>
        <translation>(généré par Qt, non observé)</translation>
    </message>
    <message>
        <source>The server sent an invalid frame: %1 (close code %2).</source>
        <translation>Le serveur a envoyé une trame non valide : %1 (code de fermeture %2).</translation>
    </message>
    <message>
        <source>An outgoing frame could not be decoded: %1 (close code %2).</source>
        <translation>Une trame sortante n’a pas pu être décodée : %1 (code de fermeture %2).</translation>
    </message>
    <message>
        <source>Over wss the wire is encrypted: the handshake request shown is the one Qt was asked to send, and the response headers and frame boundaries could not be observed.</source>
        <translation>Avec wss, la liaison est chiffrée : la requête de négociation affichée est celle que Qt devait envoyer, et les en-têtes de réponse et limites de trames n’ont pas pu être observés.</translation>
    </message>
    <message>
        <source> (certificate: %1)</source>
        <translation> (certificat : %1)</translation>
    </message>
    <message>
        <source>Certificate verification is disabled for this connection by the user: the errors above were ignored.</source>
        <translation>La vérification du certificat est désactivée pour cette connexion par l’utilisateur : les erreurs ci-dessus ont été ignorées.</translation>
    </message>
    <message>
        <source>The server rejected the WebSocket handshake with HTTP %1 %2: %3.</source>
        <translation>Le serveur a refusé la négociation WebSocket avec HTTP %1 %2 : %3.</translation>
    </message>
    <message>
        <source>The host name &quot;%1&quot; could not be resolved.</source>
        <translation>Le nom d’hôte « %1 » n’a pas pu être résolu.</translation>
    </message>
    <message>
        <source>The server rejected the WebSocket handshake: %1</source>
        <translation>Le serveur a refusé la négociation WebSocket : %1</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response was not accepted: %1</source>
        <translation>La réponse de négociation du serveur n’a pas été acceptée : %1</translation>
    </message>
    <message>
        <source>Connection refused by %1: nothing is listening there.</source>
        <translation>Connexion refusée par %1 : rien n’y écoute.</translation>
    </message>
    <message>
        <source>Timed out while connecting to %1.</source>
        <translation>Délai dépassé lors de la connexion à %1.</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>La négociation TLS avec %1 a échoué : %2</translation>
    </message>
    <message>
        <source>%1 closed the connection before completing the WebSocket handshake.</source>
        <translation>%1 a fermé la connexion avant la fin de la négociation WebSocket.</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2</source>
        <translation>Impossible de se connecter à %1 : %2</translation>
    </message>
    <message>
        <source>The connection ended before the WebSocket handshake completed.</source>
        <translation>La connexion s’est terminée avant la fin de la négociation WebSocket.</translation>
    </message>
    <message>
        <source>abnormal closure</source>
        <translation>fermeture anormale</translation>
    </message>
    <message>
        <source>abnormal closure (aborted locally)</source>
        <translation>fermeture anormale (interrompue localement)</translation>
    </message>
    <message>
        <source>abnormal closure: the server did not answer the close frame</source>
        <translation>fermeture anormale : le serveur n’a pas répondu à la trame Close</translation>
    </message>
    <message>
        <source>The connection was failed locally with close code %1: %2</source>
        <translation>La connexion a été mise en échec localement avec le code de fermeture %1 : %2</translation>
    </message>
    <message>
        <source>Timed out after %1 ms: %2 accepted the connection but did not answer the WebSocket handshake.</source>
        <translation>Délai dépassé après %1 ms : %2 a accepté la connexion mais n’a pas répondu à la négociation WebSocket.</translation>
    </message>
    <message>
        <source>Timed out after %1 ms while connecting to %2.</source>
        <translation>Délai dépassé après %1 ms lors de la connexion à %2.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a WebSocket URL: it must start with ws:// or wss://.</source>
        <translation>« %1 » n’est pas une URL WebSocket : elle doit commencer par ws:// ou wss://.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has no host name.</source>
        <translation>« %1 » n’a pas de nom d’hôte.</translation>
    </message>
    <message>
        <source>The wire tap could not listen (%1): the handshake response and frames will not be observed.</source>
        <translation>La sonde de ligne n’a pas pu écouter (%1) : la réponse de négociation et les trames ne seront pas observées.</translation>
    </message>
    <message>
        <source>The connection attempt was cancelled.</source>
        <translation>La tentative de connexion a été annulée.</translation>
    </message>
    <message>
        <source>The internal TLS hop to the wire tap was not trusted: %1</source>
        <translation>Le tronçon TLS interne vers la sonde de ligne n’a pas été jugé fiable : %1</translation>
    </message>
    <message>
        <source>The internal TLS hop between Qt and the wire tap failed: %1</source>
        <translation>Le tronçon TLS interne entre Qt et la sonde de ligne a échoué : %1</translation>
    </message>
    <message>
        <source>It hung up right after the TLS handshake without an HTTP answer: a server that requires a client certificate does this when it refuses the one presented, or its absence.</source>
        <translation>Le pair a raccroché juste après la négociation TLS, sans réponse HTTP : c’est ce que fait un serveur qui exige un certificat client lorsqu’il refuse celui qui est présenté, ou son absence.</translation>
    </message>
    <message>
        <source>The wire tap could not make a certificate for &quot;%1&quot; (%2), so it relays the encrypted bytes without reading them.</source>
        <translation>La sonde de ligne n’a pas pu créer de certificat pour « %1 » (%2) : elle relaie donc les octets chiffrés sans les lire.</translation>
    </message>
    <message>
        <source>no body</source>
        <translation>aucun corps</translation>
    </message>
    <message>
        <source>HTTP %1 %2: not a WebSocket endpoint</source>
        <translation>HTTP %1 %2 : pas un point de terminaison WebSocket</translation>
    </message>
    <message>
        <source>The server sent a message over the limit: %1. The connection was failed with close code 1009.</source>
        <translation>Le serveur a envoyé un message au-delà de la limite : %1. La connexion a été mise en échec avec le code de fermeture 1009.</translation>
    </message>
    <message>
        <source>The server violated the protocol: %1. The connection was failed with close code %2.</source>
        <translation>Le serveur a enfreint le protocole : %1. La connexion a été mise en échec avec le code de fermeture %2.</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientTab</name>
    <message>
        <source>Connect</source>
        <translation>Connecter</translation>
    </message>
    <message>
        <source>Trusted CA Certificates</source>
        <translation>Certificats d’AC de confiance</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Fichiers PEM (*.pem *.crt *.cer);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Client Certificate</source>
        <translation>Certificat client</translation>
    </message>
    <message>
        <source>Client Private Key</source>
        <translation>Clé privée du client</translation>
    </message>
    <message>
        <source>PEM keys (*.pem *.key);;All files (*)</source>
        <translation>Clés PEM (*.pem *.key);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Ignore certificate errors (unsafe)</source>
        <translation>Ignorer les erreurs de certificat (dangereux)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Ping</source>
        <translation>Ping</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>The WebSocket URL to connect to (ws:// or wss://)</source>
        <translation>L’URL WebSocket à laquelle se connecter (ws:// ou wss://)</translation>
    </message>
    <message>
        <source>chat, superchat</source>
        <translation>chat, superchat</translation>
    </message>
    <message>
        <source>http://localhost (none when empty)</source>
        <translation>http://localhost (aucune si vide)</translation>
    </message>
    <message>
        <source>Connect even when the server&apos;s certificate cannot be verified. The tab and the log say so.</source>
        <translation>Se connecter même si le certificat du serveur ne peut pas être vérifié. L’onglet et le journal le signalent.</translation>
    </message>
    <message>
        <source>Send the message (Ctrl+Enter)</source>
        <translation>Envoyer le message (Ctrl+Entrée)</translation>
    </message>
    <message>
        <source>Send a Ping; the Pong&apos;s round trip time appears in the log</source>
        <translation>Envoyer un Ping ; le temps d’aller-retour du Pong apparaît dans le journal</translation>
    </message>
    <message>
        <source>reason (optional)</source>
        <translation>raison (facultative)</translation>
    </message>
    <message>
        <source>Start the closing handshake with this code and reason</source>
        <translation>Commencer la négociation de fermeture avec ce code et cette raison</translation>
    </message>
    <message>
        <source>Headers</source>
        <translation>En-têtes</translation>
    </message>
    <message>
        <source>Handshake</source>
        <translation>Négociation</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL :</translation>
    </message>
    <message>
        <source>Close:</source>
        <translation>Fermeture :</translation>
    </message>
    <message>
        <source>Subprotocols:</source>
        <translation>Sous-protocoles :</translation>
    </message>
    <message>
        <source>Origin:</source>
        <translation>Origine :</translation>
    </message>
    <message>
        <source>Trusted CA:</source>
        <translation>AC de confiance :</translation>
    </message>
    <message>
        <source>Client cert:</source>
        <translation>Certificat client :</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>Clé :</translation>
    </message>
    <message>
        <source>Key passphrase:</source>
        <translation>Phrase secrète de la clé :</translation>
    </message>
    <message>
        <source>This is not a valid URL: %1</source>
        <translation>Ce n’est pas une URL valide : %1</translation>
    </message>
    <message>
        <source>The URL needs a scheme: ws:// or wss://.</source>
        <translation>L’URL a besoin d’un schéma : ws:// ou wss://.</translation>
    </message>
    <message>
        <source>The scheme must be ws:// or wss://, not %1://.</source>
        <translation>Le schéma doit être ws:// ou wss://, pas %1://.</translation>
    </message>
    <message>
        <source>A WebSocket URL cannot have a fragment (#…) (RFC 6455 section 3).</source>
        <translation>Une URL WebSocket ne peut pas avoir de fragment (#…) (RFC 6455, section 3).</translation>
    </message>
    <message>
        <source>New client</source>
        <translation>Nouveau client</translation>
    </message>
    <message>
        <source>The close reason is %1 bytes of UTF-8; a Close frame allows at most %2 (RFC 6455 section 5.5).</source>
        <translation>La raison de fermeture fait %1 octets en UTF-8 ; une trame Close en permet au plus %2 (RFC 6455, section 5.5).</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Non connecté</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Connexion à %1…</translation>
    </message>
    <message>
        <source>Open (connection %1)</source>
        <translation>Ouverte (connexion %1)</translation>
    </message>
    <message>
        <source>Open (connection %1, subprotocol %2)</source>
        <translation>Ouverte (connexion %1, sous-protocole %2)</translation>
    </message>
    <message>
        <source>Closing…</source>
        <translation>Fermeture…</translation>
    </message>
    <message>
        <source>by this tab</source>
        <translation>par cet onglet</translation>
    </message>
    <message>
        <source>by the server</source>
        <translation>par le serveur</translation>
    </message>
    <message>
        <source>Closed %1: %2 %3</source>
        <translation>Fermée %1 : %2 %3</translation>
    </message>
    <message>
        <source> — &quot;%1&quot;</source>
        <translation> — « %1 »</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Déconnecter</translation>
    </message>
    <message>
        <source>⚠ Certificate errors are ignored in this tab: the server&apos;s identity is not verified (TLS options).</source>
        <translation>⚠ Les erreurs de certificat sont ignorées dans cet onglet : l’identité du serveur n’est pas vérifiée (options TLS).</translation>
    </message>
    <message>
        <source>ws://localhost:8080/</source>
        <translation>ws://localhost:8080/</translation>
    </message>
    <message>
        <source>Enter a URL such as ws://localhost:8080/.</source>
        <translation>Saisissez une URL telle que ws://localhost:8080/.</translation>
    </message>
    <message>
        <source>The URL needs a scheme: ws:// or wss://, as in ws://localhost:8080/.</source>
        <translation>L’URL a besoin d’un schéma : ws:// ou wss://, comme dans ws://localhost:8080/.</translation>
    </message>
    <message>
        <source>The URL has no host; for example ws://localhost:8080/.</source>
        <translation>L’URL n’a pas d’hôte ; par exemple ws://localhost:8080/.</translation>
    </message>
</context>
<context>
    <name>sockpit::ClientTabs</name>
    <message>
        <source>Open a new client tab (Ctrl+T)</source>
        <translation>Ouvrir un nouvel onglet client (Ctrl+T)</translation>
    </message>
    <message>
        <source>Rename Tab</source>
        <translation>Renommer l’onglet</translation>
    </message>
    <message>
        <source>Tab name (empty: use host and port):</source>
        <translation>Nom de l’onglet (vide : hôte et port) :</translation>
    </message>
    <message>
        <source>%1
Certificate errors are ignored in this tab.</source>
        <translation>%1
Les erreurs de certificat sont ignorées dans cet onglet.</translation>
    </message>
</context>
<context>
    <name>sockpit::CloseCodeCombo</name>
    <message>
        <source>Pick a close code or type any code from 1000 to 4999 that may be sent (RFC 6455 section 7.4).</source>
        <translation>Choisissez un code de fermeture ou saisissez un code de 1000 à 4999 autorisé à l’envoi (RFC 6455, section 7.4).</translation>
    </message>
    <message>
        <source>Type a close code, for example 1000 or 4001.</source>
        <translation>Saisissez un code de fermeture, par exemple 1000 ou 4001.</translation>
    </message>
    <message>
        <source>%1 cannot be sent in a Close frame (%2).</source>
        <translation>%1 ne peut pas être envoyé dans une trame Close (%2).</translation>
    </message>
</context>
<context>
    <name>sockpit::ConnectionLinks</name>
    <message>
        <source>client #%1 ↔ server #%2</source>
        <translation>client #%1 ↔ serveur #%2</translation>
    </message>
    <message>
        <source>client #%1</source>
        <translation>client #%1</translation>
    </message>
    <message>
        <source>server #%1 ↔ client #%2</source>
        <translation>serveur #%1 ↔ client #%2</translation>
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
        <translation>Id</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>Pair</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Chemin</translation>
    </message>
    <message>
        <source>Subprotocol</source>
        <translation>Sous-protocole</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Âge</translation>
    </message>
    <message>
        <source>Bytes in</source>
        <translation>Octets reçus</translation>
    </message>
    <message>
        <source>Bytes out</source>
        <translation>Octets envoyés</translation>
    </message>
    <message>
        <source>Messages received from this peer</source>
        <translation>Messages reçus de ce pair</translation>
    </message>
    <message>
        <source>Messages sent to this peer</source>
        <translation>Messages envoyés à ce pair</translation>
    </message>
    <message>
        <source>Bytes received from this peer</source>
        <translation>Octets reçus de ce pair</translation>
    </message>
    <message>
        <source>Bytes sent to this peer</source>
        <translation>Octets envoyés à ce pair</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Reçus</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Envoyés</translation>
    </message>
</context>
<context>
    <name>sockpit::EmbeddedServer</name>
    <message>
        <source>The maximum message size must be at least one byte.</source>
        <translation>La taille maximale des messages doit être d’au moins un octet.</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>La négociation TLS avec %1 a échoué : %2</translation>
    </message>
    <message>
        <source>Cannot listen on %1: the port is already in use.</source>
        <translation>Impossible d’écouter sur %1 : le port est déjà utilisé.</translation>
    </message>
    <message>
        <source>Cannot listen on %1: the address is not one of this machine&apos;s.</source>
        <translation>Impossible d’écouter sur %1 : l’adresse n’appartient pas à cette machine.</translation>
    </message>
    <message>
        <source>Cannot listen on %1: permission denied (ports below 1024 need privileges).</source>
        <translation>Impossible d’écouter sur %1 : permission refusée (les ports inférieurs à 1024 exigent des privilèges).</translation>
    </message>
    <message>
        <source>Cannot listen on %1: %2</source>
        <translation>Impossible d’écouter sur %1 : %2</translation>
    </message>
    <message>
        <source>%1 did not send a complete upgrade request within %2 ms.</source>
        <translation>%1 n’a pas envoyé de requête de mise à niveau complète en %2 ms.</translation>
    </message>
    <message>
        <source>Handshake from %1 rejected with %2: %3</source>
        <translation>Négociation de %1 refusée avec %2 : %3</translation>
    </message>
    <message>
        <source>The WebSocket stack refused the request from %1 with %2.</source>
        <translation>La pile WebSocket a refusé la requête de %1 avec %2.</translation>
    </message>
    <message>
        <source>Cannot listen on &quot;%1&quot;: use localhost or an IP address such as 127.0.0.1 or ::1.</source>
        <translation>Impossible d’écouter sur « %1 » : utilisez localhost ou une adresse IP telle que 127.0.0.1 ou ::1.</translation>
    </message>
    <message>
        <source>Cannot listen on %1: no loopback address is available.</source>
        <translation>Impossible d’écouter sur %1 : aucune adresse de bouclage n’est disponible.</translation>
    </message>
    <message>
        <source>%1 is not available on this machine; listening on %2 only.</source>
        <translation>%1 n’est pas disponible sur cette machine ; écoute sur %2 seulement.</translation>
    </message>
    <message>
        <source>Accepting a connection failed: %1</source>
        <translation>L’acceptation d’une connexion a échoué : %1</translation>
    </message>
    <message>
        <source>No file descriptor is left for the connection from %1 (this process may have %2 open): answered 503.</source>
        <translation>Plus aucun descripteur de fichier pour la connexion de %1 (ce processus peut en avoir %2 ouverts) : réponse 503.</translation>
    </message>
    <message>
        <source>No file descriptor is left for the connection from %1: answered 503.</source>
        <translation>Plus aucun descripteur de fichier pour la connexion de %1 : réponse 503.</translation>
    </message>
</context>
<context>
    <name>sockpit::EventFilterProxy</name>
    <message>
        <source>%1 (at character %2)</source>
        <translation>%1 (au caractère %2)</translation>
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
        <translation>Masqué</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Longueur</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>Headers</source>
        <translation>En-têtes</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Charge utile</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Trames</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Nothing selected</source>
        <translation>Rien de sélectionné</translation>
    </message>
    <message>
        <source>Select an event in the log to see it here.</source>
        <translation>Sélectionnez un événement dans le journal pour le voir ici.</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Résumé</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Événement</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Connexion</translation>
    </message>
    <message>
        <source>(the server)</source>
        <translation>(le serveur)</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>Sens</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>Pair</translation>
    </message>
    <message>
        <source>Subprotocol</source>
        <translation>Sous-protocole</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(aucun)</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Round trip</source>
        <translation>Aller-retour</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>Destinataires</translation>
    </message>
    <message>
        <source>Close code</source>
        <translation>Code de fermeture</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>Signification</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Raison</translation>
    </message>
    <message>
        <source>Initiated by</source>
        <translation>Initiée par</translation>
    </message>
    <message>
        <source>the server (local)</source>
        <translation>le serveur (local)</translation>
    </message>
    <message>
        <source>this client (local)</source>
        <translation>ce client (local)</translation>
    </message>
    <message>
        <source>the client (remote)</source>
        <translation>le client (distant)</translation>
    </message>
    <message>
        <source>the server (remote)</source>
        <translation>le serveur (distant)</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Erreur</translation>
    </message>
    <message>
        <source>Error id</source>
        <translation>Identifiant d’erreur</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocole</translation>
    </message>
    <message>
        <source>Cipher</source>
        <translation>Chiffrement</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>Vérification</translation>
    </message>
    <message>
        <source>turned off by the user</source>
        <translation>désactivée par l’utilisateur</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Sujet</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>Émetteur</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>Valide à partir du</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>Valide jusqu’au</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Certificate error</source>
        <translation>Erreur de certificat</translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln octet</numerusform>
            <numerusform>%Ln octets</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::EventLogModel</name>
    <message>
        <source>(empty)</source>
        <translation>(vide)</translation>
    </message>
    <message>
        <source>server</source>
        <translation>serveur</translation>
    </message>
    <message>
        <source>client</source>
        <translation>client</translation>
    </message>
    <message>
        <source>in</source>
        <translation>entrant</translation>
    </message>
    <message>
        <source>out</source>
        <translation>sortant</translation>
    </message>
    <message>
        <source>listening</source>
        <translation>écoute</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>arrêté</translation>
    </message>
    <message>
        <source>handshake</source>
        <translation>négociation</translation>
    </message>
    <message>
        <source>open</source>
        <translation>ouverture</translation>
    </message>
    <message>
        <source>text</source>
        <translation>texte</translation>
    </message>
    <message>
        <source>binary</source>
        <translation>binaire</translation>
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
        <translation>fermeture</translation>
    </message>
    <message>
        <source>error</source>
        <translation>erreur</translation>
    </message>
    <message>
        <source>broadcast</source>
        <translation>diffusion</translation>
    </message>
    <message>
        <source>tls</source>
        <translation>tls</translation>
    </message>
    <message>
        <source>%1 → (no response observed)</source>
        <translation>%1 → (aucune réponse observée)</translation>
    </message>
    <message>
        <source>%1 → %2 %3</source>
        <translation>%1 → %2 %3</translation>
    </message>
    <message>
        <source>local</source>
        <translation>local</translation>
    </message>
    <message>
        <source>remote</source>
        <translation>distant</translation>
    </message>
    <message>
        <source>%1 %2 (%3)</source>
        <translation>%1 %2 (%3)</translation>
    </message>
    <message>
        <source>%1 %2: %3 (%4)</source>
        <translation>%1 %2 : %3 (%4)</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1, verification disabled</source>
        <translation>%1, vérification désactivée</translation>
    </message>
    <message>
        <source>%1, rtt %2 ms</source>
        <translation>%1, aller-retour %2 ms</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Connexion</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>Sens</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Résumé</translation>
    </message>
    <message>
        <source>peer %1</source>
        <translation>pair %1</translation>
    </message>
    <message>
        <source>peer %1, subprotocol %2</source>
        <translation>pair %1, sous-protocole %2</translation>
    </message>
    <message>
        <source>to %1: %2</source>
        <translation>à %1 : %2</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 o</translation>
    </message>
    <message>
        <source>%1 KiB</source>
        <translation>%1 Kio</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 Mio</translation>
    </message>
    <message>
        <source>%1 GiB</source>
        <translation>%1 Gio</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1, 1 certificate error</source>
        <translation>%1, 1 erreur de certificat</translation>
    </message>
    <message>
        <source>%1, %2 certificate errors</source>
        <translation>%1, %2 erreurs de certificat</translation>
    </message>
    <message numerus="yes">
        <source>%n bytes</source>
        <translation>
            <numerusform>%n octet</numerusform>
            <numerusform>%n octets</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::FilePickerField</name>
    <message>
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
</context>
<context>
    <name>sockpit::GuiMain</name>
    <message>
        <source>Sockpit: a WebSocket test console.</source>
        <translation>Sockpit : une console de test WebSocket.</translation>
    </message>
    <message>
        <source>Interface language (en, de, fr, zh_CN); overrides the Preferences and the system locale.</source>
        <translation>Langue de l’interface (en, de, fr, zh_CN) ; prime sur les préférences et la langue du système.</translation>
    </message>
    <message>
        <source>code</source>
        <translation>code</translation>
    </message>
    <message>
        <source>A JSON Lines event log to open.</source>
        <translation>Un journal d’événements JSON Lines à ouvrir.</translation>
    </message>
    <message>
        <source>at most one WORKSPACE may be given</source>
        <translation>un seul WORKSPACE au plus peut être indiqué</translation>
    </message>
    <message>
        <source>no translation for language &quot;%1&quot;; using English</source>
        <translation>aucune traduction pour la langue « %1 » ; l’anglais est utilisé</translation>
    </message>
</context>
<context>
    <name>sockpit::HandshakeLimitsBox</name>
    <message>
        <source>Handshake</source>
        <translation>Négociation</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>A client has this long from the TCP accept to complete the opening handshake; then the connection is dropped</source>
        <translation>Durée dont dispose un client, depuis l’acceptation TCP, pour achever la poignée de main d’ouverture ; ensuite la connexion est coupée</translation>
    </message>
    <message>
        <source> bytes</source>
        <translation> octets</translation>
    </message>
    <message>
        <source>A larger upgrade request is answered with HTTP 431</source>
        <translation>Une requête de mise à niveau plus grande reçoit HTTP 431</translation>
    </message>
    <message>
        <source>A longer request or header line is answered with HTTP 431 (Qt&apos;s WebSocket stack takes no longer lines)</source>
        <translation>Une ligne de requête ou d’en-tête plus longue reçoit HTTP 431 (la pile WebSocket de Qt n’accepte pas de lignes plus longues)</translation>
    </message>
    <message>
        <source>More header fields are answered with HTTP 431 (Qt&apos;s WebSocket stack takes no more)</source>
        <translation>Davantage de champs d’en-tête reçoivent HTTP 431 (la pile WebSocket de Qt n’en accepte pas plus)</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>Délai :</translation>
    </message>
    <message>
        <source>Request head:</source>
        <translation>En-tête de requête :</translation>
    </message>
    <message>
        <source>Header line:</source>
        <translation>Ligne d’en-tête :</translation>
    </message>
    <message>
        <source>Header fields:</source>
        <translation>Champs d’en-tête :</translation>
    </message>
</context>
<context>
    <name>sockpit::HandshakeView</name>
    <message>
        <source>Request: %1 %2 HTTP/1.1</source>
        <translation>Requête : %1 %2 HTTP/1.1</translation>
    </message>
    <message>
        <source>Response: HTTP/1.1 %1 %2</source>
        <translation>Réponse : HTTP/1.1 %1 %2</translation>
    </message>
    <message>
        <source>Body: %1</source>
        <translation>Corps : %1</translation>
    </message>
    <message>
        <source>Response: not observed</source>
        <translation>Réponse : non observée</translation>
    </message>
</context>
<context>
    <name>sockpit::HeadersEditor</name>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Ajouter</translation>
    </message>
    <message>
        <source>Add a request header</source>
        <translation>Ajouter un en-tête de requête</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Remove the selected headers</source>
        <translation>Supprimer les en-têtes sélectionnés</translation>
    </message>
</context>
<context>
    <name>sockpit::JsonLines</name>
    <message>
        <source>a string</source>
        <translation>une chaîne</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; holds a character that is not an HTTP byte.</source>
        <translation>La clé « %1 » contient un caractère qui n’est pas un octet HTTP.</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not valid base64.</source>
        <translation>La clé « %1 » n’est pas du base64 valide.</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>un entier</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true ou false</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>un objet</translation>
    </message>
    <message>
        <source>an array</source>
        <translation>un tableau</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not an ISO 8601 time: &quot;%2&quot;.</source>
        <translation>La clé « %1 » n’est pas une heure ISO 8601 : « %2 ».</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; has an unknown value &quot;%2&quot;.</source>
        <translation>La clé « %1 » a une valeur inconnue « %2 ».</translation>
    </message>
    <message>
        <source>The key &quot;%1&quot; is not %2.</source>
        <translation>La clé « %1 » n’est pas %2.</translation>
    </message>
    <message>
        <source>A header is not a [name, value] pair of strings.</source>
        <translation>Un en-tête n’est pas une paire de chaînes [nom, valeur].</translation>
    </message>
    <message>
        <source>A TLS error is not a string.</source>
        <translation>Une erreur TLS n’est pas une chaîne.</translation>
    </message>
    <message>
        <source>A frame is not an object.</source>
        <translation>Une trame n’est pas un objet.</translation>
    </message>
    <message>
        <source>The line is not JSON: %1 at character %2.</source>
        <translation>La ligne n’est pas du JSON : %1 au caractère %2.</translation>
    </message>
    <message>
        <source>The line is JSON but not an object.</source>
        <translation>La ligne est du JSON mais pas un objet.</translation>
    </message>
    <message>
        <source>The line has no &quot;kind&quot;.</source>
        <translation>La ligne n’a pas de « kind ».</translation>
    </message>
    <message>
        <source>The key &quot;kind&quot; is not a string.</source>
        <translation>La clé « kind » n’est pas une chaîne.</translation>
    </message>
    <message>
        <source>The line has an unknown kind &quot;%1&quot;.</source>
        <translation>La ligne a un type inconnu « %1 ».</translation>
    </message>
    <message>
        <source>The key &quot;rttMs&quot; is not a number.</source>
        <translation>La clé « rttMs » n’est pas un nombre.</translation>
    </message>
    <message>
        <source>The event log is not open for reading.</source>
        <translation>Le journal des événements n’est pas ouvert en lecture.</translation>
    </message>
    <message>
        <source>Cannot open the event log %1: %2.</source>
        <translation>Impossible d’ouvrir le journal des événements %1 : %2.</translation>
    </message>
    <message>
        <source>Cannot write the event log %1: %2.</source>
        <translation>Impossible d’écrire le journal des événements %1 : %2.</translation>
    </message>
    <message>
        <source>to standard output</source>
        <translation>sur la sortie standard</translation>
    </message>
    <message>
        <source>Cannot write the event log: %1.</source>
        <translation>Impossible d’écrire le journal des événements : %1.</translation>
    </message>
    <message>
        <source>A listening address is not a string.</source>
        <translation>Une adresse d’écoute n’est pas une chaîne.</translation>
    </message>
</context>
<context>
    <name>sockpit::LogFileWindow</name>
    <message>
        <source>%1 — Sockpit log</source>
        <translation>%1 — journal Sockpit</translation>
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
        <translation>N’afficher que les types d’événement cochés</translation>
    </message>
    <message>
        <source>Show all kinds</source>
        <translation>Afficher tous les types</translation>
    </message>
    <message>
        <source>Any source</source>
        <translation>Toute source</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Serveur</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Any connection</source>
        <translation>Toute connexion</translation>
    </message>
    <message>
        <source>#</source>
        <translation>n°</translation>
    </message>
    <message>
        <source>Show one connection&apos;s events (0: all)</source>
        <translation>Afficher les événements d’une connexion (0 : toutes)</translation>
    </message>
    <message>
        <source>Any direction</source>
        <translation>Tout sens</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Entrant</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Sortant</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucun</translation>
    </message>
    <message>
        <source>Filter (Ctrl+F)</source>
        <translation>Filtre (Ctrl+F)</translation>
    </message>
    <message>
        <source>Treat the filter text as a regular expression</source>
        <translation>Traiter le texte du filtre comme une expression régulière</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>Tous les types</translation>
    </message>
    <message>
        <source>Kinds: %1</source>
        <translation>Types : %1</translation>
    </message>
    <message>
        <source>Invalid regular expression: %1</source>
        <translation>Expression régulière non valide : %1</translation>
    </message>
    <message>
        <source>Text matched against each event (case-insensitive)</source>
        <translation>Texte comparé à chaque événement (sans tenir compte de la casse)</translation>
    </message>
    <message>
        <source>Regular expression matched against each part of an event (its message, summary, each header…): ^ and $ anchor at the start and end of that part</source>
        <translation>Expression régulière comparée à chaque partie d’un événement (son message, son résumé, chaque en-tête…) : ^ et $ ancrent au début et à la fin de cette partie</translation>
    </message>
</context>
<context>
    <name>sockpit::LogView</name>
    <message>
        <source>Follow</source>
        <translation>Suivre</translation>
    </message>
    <message>
        <source>Keep the newest event in view. Scrolling up stops it; scrolling to the bottom starts it again.</source>
        <translation>Garder le dernier événement visible. Remonter l’arrête ; revenir en bas le relance.</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Freeze the table to read it: events are still recorded (and exported) and appear when you resume.</source>
        <translation>Figer le tableau pour le lire : les événements sont toujours enregistrés (et exportés) et apparaissent à la reprise.</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Effacer</translation>
    </message>
    <message>
        <source>Forget every event recorded so far</source>
        <translation>Oublier tous les événements enregistrés jusqu’ici</translation>
    </message>
    <message>
        <source>Events shown by the filter / recorded in total / evicted to keep memory bounded</source>
        <translation>Événements affichés par le filtre / enregistrés au total / évincés pour borner la mémoire</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <source>%1 / %2 / %3</source>
        <comment>shown / total / evicted</comment>
        <translation>%1 / %2 / %3</translation>
    </message>
    <message numerus="yes">
        <source>%Ln shown</source>
        <translation>
            <numerusform>%Ln affiché</numerusform>
            <numerusform>%Ln affichés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln total</source>
        <translation>
            <numerusform>%Ln au total</numerusform>
            <numerusform>%Ln au total</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln evicted</source>
        <translation>
            <numerusform>%Ln évincé</numerusform>
            <numerusform>%Ln évincés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> — paused, %Ln new waiting</source>
        <translation>
            <numerusform> — en pause, %Ln nouveau en attente</numerusform>
            <numerusform> — en pause, %Ln nouveaux en attente</numerusform>
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
        <translation>Serveur</translation>
    </message>
    <message>
        <source>Client tabs now trust %1</source>
        <translation>Les onglets clients font maintenant confiance à %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Open Log…</source>
        <translation>&amp;Ouvrir un journal…</translation>
    </message>
    <message>
        <source>&amp;Export All…</source>
        <translation>&amp;Exporter tout…</translation>
    </message>
    <message>
        <source>Export &amp;Filtered…</source>
        <translation>Exporter la sélection &amp;filtrée…</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Préférences…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Clients</source>
        <translation>&amp;Clients</translation>
    </message>
    <message>
        <source>&amp;New Tab</source>
        <translation>&amp;Nouvel onglet</translation>
    </message>
    <message>
        <source>&amp;Close Tab</source>
        <translation>&amp;Fermer l’onglet</translation>
    </message>
    <message>
        <source>&amp;Rename Tab…</source>
        <translation>&amp;Renommer l’onglet…</translation>
    </message>
    <message>
        <source>Open N Clients to the &amp;Local Server…</source>
        <translation>Ouvrir N clients vers le serveur &amp;local…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Find in Log</source>
        <translation>&amp;Rechercher dans le journal</translation>
    </message>
    <message>
        <source>&amp;Clear Log</source>
        <translation>&amp;Effacer le journal</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;About Sockpit</source>
        <translation>À &amp;propos de Sockpit</translation>
    </message>
    <message>
        <source>About Sockpit</source>
        <translation>À propos de Sockpit</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Sockpit %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A WebSocket test console: an embedded server, client tabs and one wire-level log.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Sockpit %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Une console de test WebSocket : un serveur intégré, des onglets clients et un journal au niveau de la ligne.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Open Log</source>
        <translation>Ouvrir un journal</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>Impossible d’ouvrir %1 : %2</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>… et %1 de plus</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>Ligne %1 : %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d’écrire %1 : %2</translation>
    </message>
    <message>
        <source>Export All Events</source>
        <translation>Exporter tous les événements</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Export Filtered Events</source>
        <translation>Exporter les événements filtrés</translation>
    </message>
    <message>
        <source>Open Clients</source>
        <translation>Ouvrir des clients</translation>
    </message>
    <message>
        <source>Start the server first: the clients connect to it.</source>
        <translation>Démarrez d’abord le serveur : les clients s’y connectent.</translation>
    </message>
    <message>
        <source>Open this many client tabs to %1:</source>
        <translation>Ouvrir ce nombre d’onglets clients vers %1 :</translation>
    </message>
    <message numerus="yes">
        <source>Read %Ln events from %1</source>
        <translation>
            <numerusform>%Ln événement lu depuis %1</numerusform>
            <numerusform>%Ln événements lus depuis %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %Ln lines of %2 could not be read and were skipped; the other events are shown.</source>
        <translation>
            <numerusform>%1 ligne sur %Ln de %2 n’a pas pu être lue et a été ignorée ; les autres événements sont affichés.</numerusform>
            <numerusform>%1 des %Ln lignes de %2 n’ont pas pu être lues et ont été ignorées ; les autres événements sont affichés.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::MessageComposer</name>
    <message>
        <source>Pretty</source>
        <translation>Mis en forme</translation>
    </message>
    <message>
        <source>Load file…</source>
        <translation>Charger un fichier…</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Binary</source>
        <translation>Binaire</translation>
    </message>
    <message>
        <source>How the message is written and sent</source>
        <translation>Comment le message est écrit et envoyé</translation>
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
        <translation>Comment le message binaire est saisi</translation>
    </message>
    <message>
        <source>Indent the JSON message</source>
        <translation>Indenter le message JSON</translation>
    </message>
    <message>
        <source>Send the contents of a file as one binary message</source>
        <translation>Envoyer le contenu d’un fichier en un seul message binaire</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>Message :</translation>
    </message>
    <message>
        <source>Send a File</source>
        <translation>Envoyer un fichier</translation>
    </message>
    <message>
        <source>%1 is too big to send from here (%2 bytes; the limit is %3).</source>
        <translation>%1 est trop volumineux pour être envoyé d’ici (%2 octets ; la limite est %3).</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
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
        <translation>Saisissez un message</translation>
    </message>
    <message>
        <source>Valid JSON</source>
        <translation>JSON valide</translation>
    </message>
    <message numerus="yes">
        <source>%Ln characters of pasted text, with a line too long to show here, will be sent as they are; type to replace them.</source>
        <translation>
            <numerusform>Le texte collé (%Ln caractère), avec une ligne trop longue pour être affichée ici, sera envoyé tel quel ; tapez pour le remplacer.</numerusform>
            <numerusform>Le texte collé (%Ln caractères), avec une ligne trop longue pour être affichée ici, sera envoyé tel quel ; tapez pour le remplacer.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (%Ln bytes) will be sent; type to replace it.</source>
        <translation>
            <numerusform>%1 (%Ln octet) sera envoyé ; tapez pour le remplacer.</numerusform>
            <numerusform>%1 (%Ln octets) sera envoyé ; tapez pour le remplacer.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln octet</numerusform>
            <numerusform>%Ln octets</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::PayloadView</name>
    <message>
        <source>Write the whole recorded payload to a file</source>
        <translation>Écrire toute la charge utile enregistrée dans un fichier</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Clé</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texte</translation>
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
        <translation>(racine)</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>(more items not shown)</source>
        <translation>(autres éléments non affichés)</translation>
    </message>
    <message>
        <source>Save Payload</source>
        <translation>Enregistrer la charge utile</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d’écrire %1 : %2</translation>
    </message>
    <message numerus="yes">
        <source>Showing %1 of %Ln bytes</source>
        <translation>
            <numerusform>Affichage de %1 sur %Ln octet</numerusform>
            <numerusform>Affichage de %1 sur %Ln octets</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln octet</numerusform>
            <numerusform>%Ln octets</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Only the first %Ln bytes were recorded.</source>
        <translation>
            <numerusform>Seul %Ln octet a été enregistré.</numerusform>
            <numerusform>Seuls les %Ln premiers octets ont été enregistrés.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>object, %Ln keys</source>
        <translation>
            <numerusform>objet, %Ln clé</numerusform>
            <numerusform>objet, %Ln clés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>array, %Ln items</source>
        <translation>
            <numerusform>tableau, %Ln élément</numerusform>
            <numerusform>tableau, %Ln éléments</numerusform>
        </translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>Enregistrer…</translation>
    </message>
</context>
<context>
    <name>sockpit::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Préférences</translation>
    </message>
    <message>
        <source>System (%1)</source>
        <translation>Système (%1)</translation>
    </message>
    <message>
        <source>A new language applies after Sockpit is restarted.</source>
        <translation>Une nouvelle langue s’applique après le redémarrage de Sockpit.</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Langue :</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerConnection</name>
    <message>
        <source>A message from %1 was larger than the limit; the connection was closed with 1009.</source>
        <translation>Un message de %1 dépassait la limite ; la connexion a été fermée avec 1009.</translation>
    </message>
    <message>
        <source>The frames sent to %1 could no longer be decoded (%2); outgoing messages are recorded as sent from here on.</source>
        <translation>Les trames envoyées à %1 n’ont plus pu être décodées (%2) ; désormais, les messages sortants sont enregistrés tels qu’ils sont remis pour l’envoi.</translation>
    </message>
    <message>
        <source>%1 broke the WebSocket protocol: %2. The connection was closed with %3.</source>
        <translation>%1 a enfreint le protocole WebSocket : %2. La connexion a été fermée avec %3.</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerPanel</name>
    <message>
        <source>Start</source>
        <translation>Démarrer</translation>
    </message>
    <message>
        <source>Open clients</source>
        <translation>Ouvrir des clients</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Send to all</source>
        <translation>Envoyer à tous</translation>
    </message>
    <message>
        <source>Close selected</source>
        <translation>Fermer la sélection</translation>
    </message>
    <message>
        <source>Close all</source>
        <translation>Tout fermer</translation>
    </message>
    <message>
        <source>How many client tabs to open</source>
        <translation>Nombre d’onglets clients à ouvrir</translation>
    </message>
    <message>
        <source>Open this many client tabs to the running server and connect them all (for broadcast tests)</source>
        <translation>Ouvrir ce nombre d’onglets clients vers le serveur en marche et tous les connecter (pour tester la diffusion)</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>Écoute</translation>
    </message>
    <message>
        <source>0 (any free port)</source>
        <translation>0 (n’importe quel port libre)</translation>
    </message>
    <message>
        <source>0 picks a free port</source>
        <translation>0 choisit un port libre</translation>
    </message>
    <message>
        <source>Echo: reply to the sender</source>
        <translation>Écho : répondre à l’expéditeur</translation>
    </message>
    <message>
        <source>Silent: record only</source>
        <translation>Silencieux : enregistrer seulement</translation>
    </message>
    <message>
        <source>%m (e.g. Server says: %m)</source>
        <translation>%m (par ex. Le serveur dit : %m)</translation>
    </message>
    <message>
        <source>What is sent back; %m is the received message</source>
        <translation>Ce qui est renvoyé ; %m est le message reçu</translation>
    </message>
    <message>
        <source>chat, superchat (in preference order)</source>
        <translation>chat, superchat (par ordre de préférence)</translation>
    </message>
    <message>
        <source> KiB</source>
        <translation> Kio</translation>
    </message>
    <message>
        <source>Larger incoming messages close the connection with 1009</source>
        <translation>Les messages entrants plus grands ferment la connexion avec 1009</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port :</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Hôte :</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>Mode :</translation>
    </message>
    <message>
        <source>Reply:</source>
        <translation>Réponse :</translation>
    </message>
    <message>
        <source>Subprotocols:</source>
        <translation>Sous-protocoles :</translation>
    </message>
    <message>
        <source>Max message:</source>
        <translation>Message max. :</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
    <message>
        <source>Text to send</source>
        <translation>Texte à envoyer</translation>
    </message>
    <message>
        <source>Send the text to the selected connections</source>
        <translation>Envoyer le texte aux connexions sélectionnées</translation>
    </message>
    <message>
        <source>Broadcast the text to every open connection</source>
        <translation>Diffuser le texte à chaque connexion ouverte</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>raison</translation>
    </message>
    <message>
        <source>wss needs a certificate: choose one or generate a self-signed one.</source>
        <translation>wss a besoin d’un certificat : choisissez-en un ou générez-en un auto-signé.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Close every connection (1001) and stop listening</source>
        <translation>Fermer chaque connexion (1001) et arrêter l’écoute</translation>
    </message>
    <message>
        <source>Start listening</source>
        <translation>Commencer l’écoute</translation>
    </message>
    <message>
        <source>Could not start: %1</source>
        <translation>Démarrage impossible : %1</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>À l’écoute sur %1</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Arrêté</translation>
    </message>
    <message>
        <source>Where to listen: localhost (127.0.0.1 and ::1, this machine only), one address such as 127.0.0.1 or ::1, or 0.0.0.0 / :: (every interface)</source>
        <translation>Où écouter : localhost (127.0.0.1 et ::1, cette machine seulement), une adresse telle que 127.0.0.1 ou ::1, ou 0.0.0.0 / :: (toutes les interfaces)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not localhost or an IP address; use localhost, 127.0.0.1, ::1 or 0.0.0.0.</source>
        <translation>« %1 » n’est ni localhost ni une adresse IP ; utilisez localhost, 127.0.0.1, ::1 ou 0.0.0.0.</translation>
    </message>
    <message>
        <source>Broadcast: to every client</source>
        <translation>Diffusion : à chaque client</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerPolicyBox</name>
    <message>
        <source>Policy</source>
        <translation>Règles</translation>
    </message>
    <message>
        <source>any origin</source>
        <translation>toute origine</translation>
    </message>
    <message>
        <source>Origins allowed to connect, separated by commas (for example http://localhost:3000). Others are answered with HTTP 403. Empty: any origin.</source>
        <translation>Origines autorisées à se connecter, séparées par des virgules (par exemple http://localhost:3000). Les autres reçoivent la réponse HTTP 403. Vide : toute origine.</translation>
    </message>
    <message>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Close each connection this many seconds after it opens (0: never)</source>
        <translation>Fermer chaque connexion ce nombre de secondes après son ouverture (0 : jamais)</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>raison</translation>
    </message>
    <message>
        <source>Origins:</source>
        <translation>Origines :</translation>
    </message>
    <message>
        <source>Close after:</source>
        <translation>Fermer après :</translation>
    </message>
    <message>
        <source>Close code:</source>
        <translation>Code de fermeture :</translation>
    </message>
    <message>
        <source>Close reason:</source>
        <translation>Raison :</translation>
    </message>
    <message>
        <source>The close reason is %1 bytes of UTF-8; a Close frame allows at most %2 (RFC 6455 section 5.5).</source>
        <translation>La raison de fermeture fait %1 octets en UTF-8 ; une trame Close en permet au plus %2 (RFC 6455, section 5.5).</translation>
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
        <translation>Certificat du serveur</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer *.p12 *.pfx);;All files (*)</source>
        <translation>Certificats (*.pem *.crt *.cer *.p12 *.pfx);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Server Private Key</source>
        <translation>Clé privée du serveur</translation>
    </message>
    <message>
        <source>PEM keys (*.pem *.key);;All files (*)</source>
        <translation>Clés PEM (*.pem *.key);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Generate self-signed…</source>
        <translation>Générer un auto-signé…</translation>
    </message>
    <message>
        <source>Trust in client tabs</source>
        <translation>Faire confiance dans les onglets clients</translation>
    </message>
    <message>
        <source>Serve wss:// with the certificate below</source>
        <translation>Servir wss:// avec le certificat ci-dessous</translation>
    </message>
    <message>
        <source>PEM chain or PKCS#12 bundle</source>
        <translation>Chaîne PEM ou paquet PKCS#12</translation>
    </message>
    <message>
        <source>PEM key (empty for PKCS#12)</source>
        <translation>Clé PEM (vide pour PKCS#12)</translation>
    </message>
    <message>
        <source>only for an encrypted key; never saved</source>
        <translation>seulement pour une clé chiffrée ; jamais enregistrée</translation>
    </message>
    <message>
        <source>Make a certificate for localhost, 127.0.0.1 and ::1 with OpenSSL and save it with its key</source>
        <translation>Créer avec OpenSSL un certificat pour localhost, 127.0.0.1 et ::1 et l’enregistrer avec sa clé</translation>
    </message>
    <message>
        <source>Make every client tab trust this certificate as a CA</source>
        <translation>Faire accepter ce certificat comme AC par chaque onglet client</translation>
    </message>
    <message>
        <source>Certificate:</source>
        <translation>Certificat :</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>Clé :</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>Phrase secrète :</translation>
    </message>
    <message>
        <source>Generate a Self-Signed Certificate</source>
        <translation>Générer un certificat auto-signé</translation>
    </message>
    <message>
        <source>The certificate covers localhost, 127.0.0.1 and ::1.
Further host names or IP addresses (comma-separated, optional):</source>
        <translation>Le certificat couvre localhost, 127.0.0.1 et ::1.
Autres noms d’hôte ou adresses IP (séparés par des virgules, facultatif) :</translation>
    </message>
    <message>
        <source>Save the Certificate</source>
        <translation>Enregistrer le certificat</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem)</source>
        <translation>Certificats PEM (*.pem)</translation>
    </message>
    <message>
        <source>Self-Signed Certificate</source>
        <translation>Certificat auto-signé</translation>
    </message>
    <message>
        <source>No certificate chosen.</source>
        <translation>Aucun certificat choisi.</translation>
    </message>
    <message>
        <source>PKCS#12 bundle: its details show once the server starts.</source>
        <translation>Paquet PKCS#12 : ses détails s’affichent au démarrage du serveur.</translation>
    </message>
    <message>
        <source>SHA-256: %1
Valid from %2 to %3</source>
        <translation>SHA-256 : %1
Valide du %2 au %3</translation>
    </message>
    <message>
        <source>This certificate has expired.</source>
        <translation>Ce certificat a expiré.</translation>
    </message>
    <message>
        <source>This certificate is not valid yet.</source>
        <translation>Ce certificat n’est pas encore valide.</translation>
    </message>
    <message>
        <source>Client Certificate Authorities</source>
        <translation>Autorités de certification des clients</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Certificats PEM (*.pem *.crt *.cer);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>optional: require client certificates</source>
        <translation>facultatif : exiger des certificats clients</translation>
    </message>
    <message>
        <source>Mutual TLS: when a CA file is chosen, every wss client must present a certificate issued by one of its CAs</source>
        <translation>TLS mutuel : si un fichier d’AC est choisi, chaque client wss doit présenter un certificat émis par l’une de ses AC</translation>
    </message>
    <message>
        <source>Client CA:</source>
        <translation>AC client :</translation>
    </message>
</context>
<context>
    <name>sockpit::ServerWireTap</name>
    <message>
        <source>unmasked frame from the client (RFC 6455 section 5.1)</source>
        <translation>trame non masquée venant du client (RFC 6455, section 5.1)</translation>
    </message>
    <message>
        <source>The WebSocket stack answered with an oversized head.</source>
        <translation>La pile WebSocket a répondu avec un en-tête trop volumineux.</translation>
    </message>
    <message>
        <source>The WebSocket stack&apos;s answer could not be parsed.</source>
        <translation>La réponse de la pile WebSocket n’a pas pu être analysée.</translation>
    </message>
    <message>
        <source>The WebSocket stack closed the connection without answering the request.</source>
        <translation>La pile WebSocket a fermé la connexion sans répondre à la requête.</translation>
    </message>
</context>
<context>
    <name>sockpit::cli</name>
    <message>
        <source>--send-hex: &quot;%1&quot; is not hexadecimal.</source>
        <translation>--send-hex : « %1 » n’est pas hexadécimal.</translation>
    </message>
    <message>
        <source>--send-base64: &quot;%1&quot; is not base64.</source>
        <translation>--send-base64 : « %1 » n’est pas du base64.</translation>
    </message>
    <message>
        <source>--send-file: cannot read &quot;%1&quot;: %2.</source>
        <translation>--send-file : impossible de lire « %1 » : %2.</translation>
    </message>
    <message>
        <source>closed %1 (%2)</source>
        <translation>fermée %1 (%2)</translation>
    </message>
    <message>
        <source>ws:// or wss:// URL</source>
        <translation>URL ws:// ou wss://</translation>
    </message>
    <message>
        <source>Extra request header (repeatable).</source>
        <translation>En-tête de requête supplémentaire (répétable).</translation>
    </message>
    <message>
        <source>Name: value</source>
        <translation>Nom: valeur</translation>
    </message>
    <message>
        <source>Requested subprotocol (repeatable).</source>
        <translation>Sous-protocole demandé (répétable).</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NOM</translation>
    </message>
    <message>
        <source>Origin header.</source>
        <translation>En-tête Origin.</translation>
    </message>
    <message>
        <source>ORIGIN</source>
        <translation>ORIGINE</translation>
    </message>
    <message>
        <source>Text message sent once open (repeatable, in order).</source>
        <translation>Message texte envoyé une fois ouvert (répétable, dans l’ordre).</translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation>TEXTE</translation>
    </message>
    <message>
        <source>Binary message given as hex (repeatable).</source>
        <translation>Message binaire donné en hexadécimal (répétable).</translation>
    </message>
    <message>
        <source>HEX</source>
        <translation>HEX</translation>
    </message>
    <message>
        <source>Binary message given as base64 (repeatable).</source>
        <translation>Message binaire donné en base64 (répétable).</translation>
    </message>
    <message>
        <source>BASE64</source>
        <translation>BASE64</translation>
    </message>
    <message>
        <source>Binary message read from a file (repeatable).</source>
        <translation>Message binaire lu depuis un fichier (répétable).</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>FICHIER</translation>
    </message>
    <message>
        <source>Send each line of standard input as text; close at its end.</source>
        <translation>Envoyer chaque ligne de l’entrée standard en texte ; fermer à sa fin.</translation>
    </message>
    <message>
        <source>Outgoing frame size: longer messages are fragmented.</source>
        <translation>Taille des trames sortantes : les messages plus longs sont fragmentés.</translation>
    </message>
    <message>
        <source>BYTES</source>
        <translation>OCTETS</translation>
    </message>
    <message>
        <source>Close after N messages received.</source>
        <translation>Fermer après N messages reçus.</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Connect timeout, and how long to stay open.</source>
        <translation>Délai de connexion, et durée pendant laquelle rester ouvert.</translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation>SECONDES</translation>
    </message>
    <message>
        <source>How to close when done (default 1000).</source>
        <translation>Comment fermer à la fin (1000 par défaut).</translation>
    </message>
    <message>
        <source>CODE[:REASON]</source>
        <translation>CODE[:RAISON]</translation>
    </message>
    <message>
        <source>Trust this CA file (PEM).</source>
        <translation>Faire confiance à ce fichier d’AC (PEM).</translation>
    </message>
    <message>
        <source>Client certificate (mutual TLS).</source>
        <translation>Certificat client (TLS mutuel).</translation>
    </message>
    <message>
        <source>Client private key.</source>
        <translation>Clé privée du client.</translation>
    </message>
    <message>
        <source>Ignore certificate errors (logged).</source>
        <translation>Ignorer les erreurs de certificat (consigné).</translation>
    </message>
    <message>
        <source>JSON Lines event log; &quot;-&quot; is stdout.</source>
        <translation>Journal d’événements JSON Lines ; « - » est stdout.</translation>
    </message>
    <message>
        <source>connect needs exactly one URL (see &apos;sockpit connect --help&apos;).</source>
        <translation>connect a besoin d’exactement une URL (voir « sockpit connect --help »).</translation>
    </message>
    <message>
        <source>--header &quot;%1&quot;: expected &quot;Name: value&quot;.</source>
        <translation>--header « %1 » : « Nom: valeur » attendu.</translation>
    </message>
    <message>
        <source>--frame-size: expected a positive number of bytes.</source>
        <translation>--frame-size : nombre d’octets positif attendu.</translation>
    </message>
    <message>
        <source>--expect: expected a number of messages.</source>
        <translation>--expect : nombre de messages attendu.</translation>
    </message>
    <message>
        <source>--timeout: expected a positive number of seconds.</source>
        <translation>--timeout : nombre de secondes positif attendu.</translation>
    </message>
    <message>
        <source>--close: %1 is not a close code that may be sent (RFC 6455 section 7.4).</source>
        <translation>--close : %1 n’est pas un code de fermeture autorisé à l’envoi (RFC 6455, section 7.4).</translation>
    </message>
    <message>
        <source>--close: the reason must fit in 123 bytes (RFC 6455 section 5.5).</source>
        <translation>--close : la raison doit tenir en 123 octets (RFC 6455, section 5.5).</translation>
    </message>
    <message>
        <source>--log: %1</source>
        <translation>--log : %1</translation>
    </message>
    <message>
        <source>connected to %1</source>
        <translation>connecté à %1</translation>
    </message>
    <message>
        <source> (subprotocol %1)</source>
        <translation> (sous-protocole %1)</translation>
    </message>
    <message>
        <source>timed out after %1 s with %2 of %3 expected messages</source>
        <translation>délai dépassé après %1 s avec %2 des %3 messages attendus</translation>
    </message>
    <message>
        <source>--listen: expected [IPV6]:PORT, got &quot;%1&quot;.</source>
        <translation>--listen : [IPV6]:PORT attendu, reçu « %1 ».</translation>
    </message>
    <message>
        <source>--listen: expected HOST:PORT (an IPv6 host in brackets), got &quot;%1&quot;.</source>
        <translation>--listen : HOST:PORT attendu (un hôte IPv6 entre crochets), reçu « %1 ».</translation>
    </message>
    <message>
        <source>--listen: &quot;%1&quot; is not a port number (0-65535).</source>
        <translation>--listen : « %1 » n’est pas un numéro de port (0-65535).</translation>
    </message>
    <message>
        <source>--close-after: &quot;%1&quot; is not a number of seconds.</source>
        <translation>--close-after : « %1 » n’est pas un nombre de secondes.</translation>
    </message>
    <message>
        <source>--close-after: &quot;%1&quot; is not a close code that may be sent.</source>
        <translation>--close-after : « %1 » n’est pas un code de fermeture autorisé à l’envoi.</translation>
    </message>
    <message>
        <source>--close-after: the reason is longer than 123 bytes.</source>
        <translation>--close-after : la raison dépasse 123 octets.</translation>
    </message>
    <message>
        <source>Run the embedded WebSocket server without a window.</source>
        <translation>Lancer le serveur WebSocket intégré sans fenêtre.</translation>
    </message>
    <message>
        <source>HOST:PORT</source>
        <translation>HÔTE:PORT</translation>
    </message>
    <message>
        <source>echo, broadcast or silent (default echo).</source>
        <translation>echo, broadcast ou silent (echo par défaut).</translation>
    </message>
    <message>
        <source>MODE</source>
        <translation>MODE</translation>
    </message>
    <message>
        <source>What is sent back; %m is the received message.</source>
        <translation>Ce qui est renvoyé ; %m est le message reçu.</translation>
    </message>
    <message>
        <source>TEMPLATE</source>
        <translation>MODÈLE</translation>
    </message>
    <message>
        <source>Close each connection that long after it opens.</source>
        <translation>Fermer chaque connexion ce délai après son ouverture.</translation>
    </message>
    <message>
        <source>SECONDS[:CODE[:REASON]]</source>
        <translation>SECONDES[:CODE[:RAISON]]</translation>
    </message>
    <message>
        <source>An accepted subprotocol (repeatable, preferred first).</source>
        <translation>Un sous-protocole accepté (répétable, le préféré en premier).</translation>
    </message>
    <message>
        <source>An allowed Origin (repeatable); others get HTTP 403.</source>
        <translation>Une origine autorisée (répétable) ; les autres reçoivent HTTP 403.</translation>
    </message>
    <message>
        <source>Largest incoming message (default 16 MiB); larger ones close with 1009.</source>
        <translation>Plus grand message entrant (16 Mio par défaut) ; les plus grands ferment avec 1009.</translation>
    </message>
    <message>
        <source>Certificate chain (PEM) or PKCS#12 bundle for wss.</source>
        <translation>Chaîne de certificats (PEM) ou paquet PKCS#12 pour wss.</translation>
    </message>
    <message>
        <source>Private key (PEM) for wss.</source>
        <translation>Clé privée (PEM) pour wss.</translation>
    </message>
    <message>
        <source>File whose first line is the key&apos;s (or bundle&apos;s) passphrase.</source>
        <translation>Fichier dont la première ligne est la phrase secrète de la clé (ou du paquet).</translation>
    </message>
    <message>
        <source>Serve wss with a localhost certificate generated in memory.</source>
        <translation>Servir wss avec un certificat localhost généré en mémoire.</translation>
    </message>
    <message>
        <source>Write the JSON Lines event log here (&quot;-&quot;: stdout).</source>
        <translation>Écrire ici le journal d’événements JSON Lines (« - » : stdout).</translation>
    </message>
    <message>
        <source>serve takes no arguments, got &quot;%1&quot;.</source>
        <translation>serve ne prend aucun argument, reçu « %1 ».</translation>
    </message>
    <message>
        <source>--mode: expected echo, broadcast or silent, got &quot;%1&quot;.</source>
        <translation>--mode : echo, broadcast ou silent attendu, reçu « %1 ».</translation>
    </message>
    <message>
        <source>--max-message-size: &quot;%1&quot; is not a positive number of bytes.</source>
        <translation>--max-message-size : « %1 » n’est pas un nombre d’octets positif.</translation>
    </message>
    <message>
        <source>--tls-self-signed cannot be combined with --tls-cert/--tls-key.</source>
        <translation>--tls-self-signed ne peut pas être combiné avec --tls-cert/--tls-key.</translation>
    </message>
    <message>
        <source>--tls-key-passphrase-file needs --tls-cert.</source>
        <translation>--tls-key-passphrase-file nécessite --tls-cert.</translation>
    </message>
    <message>
        <source>--tls-key needs --tls-cert.</source>
        <translation>--tls-key nécessite --tls-cert.</translation>
    </message>
    <message>
        <source>Cannot read the passphrase file %1: %2</source>
        <translation>Impossible de lire le fichier de phrase secrète %1 : %2</translation>
    </message>
    <message>
        <source>Cannot open the log %1: %2</source>
        <translation>Impossible d’ouvrir le journal %1 : %2</translation>
    </message>
    <message>
        <source>certificate SHA-256 fingerprint: %1</source>
        <translation>empreinte SHA-256 du certificat : %1</translation>
    </message>
    <message>
        <source>--%1: expected a number from %2 to %3.</source>
        <translation>--%1 : nombre de %2 à %3 attendu.</translation>
    </message>
    <message>
        <source>Load generator: N connections each send a text message of SIZE bytes, wait for any reply (the round trip is one latency sample) and repeat, until M messages per connection or the duration is over. Prints a JSON summary to stdout.
Exit codes: 0 when every connection opened, 1 otherwise, 2 on usage errors.</source>
        <translation>Générateur de charge : N connexions envoient chacune un message texte de SIZE octets, attendent une réponse quelconque (l’aller-retour est une mesure de latence) et recommencent, jusqu’à M messages par connexion ou la fin de la durée. Affiche un résumé JSON sur stdout.
Codes de sortie : 0 si chaque connexion s’est ouverte, 1 sinon, 2 en cas d’erreur d’utilisation.</translation>
    </message>
    <message>
        <source>ws:// or wss:// URL of an echo server</source>
        <translation>URL ws:// ou wss:// d’un serveur d’écho</translation>
    </message>
    <message>
        <source>Parallel connections (default 1, at most 1000).</source>
        <translation>Connexions parallèles (1 par défaut, 1000 au plus).</translation>
    </message>
    <message>
        <source>Messages per connection (default 100).</source>
        <translation>Messages par connexion (100 par défaut).</translation>
    </message>
    <message>
        <source>M</source>
        <translation>M</translation>
    </message>
    <message>
        <source>Message size in bytes (default 32).</source>
        <translation>Taille des messages en octets (32 par défaut).</translation>
    </message>
    <message>
        <source>Stop after this long (default 10).</source>
        <translation>S’arrêter après cette durée (10 par défaut).</translation>
    </message>
    <message>
        <source>Ignore certificate errors.</source>
        <translation>Ignorer les erreurs de certificat.</translation>
    </message>
    <message>
        <source>bench needs exactly one URL (see &apos;sockpit bench --help&apos;).</source>
        <translation>bench a besoin d’exactement une URL (voir « sockpit bench --help »).</translation>
    </message>
    <message>
        <source>Mutual TLS: wss clients must present a certificate from these CAs (PEM).</source>
        <translation>TLS mutuel : les clients wss doivent présenter un certificat émis par ces AC (PEM).</translation>
    </message>
    <message>
        <source>Refuse wss clients without a certificate (implied by --tls-client-ca).</source>
        <translation>Refuser les clients wss sans certificat (implicite avec --tls-client-ca).</translation>
    </message>
    <message>
        <source>--tls-client-ca and --tls-require-client-cert need wss (--tls-cert or --tls-self-signed).</source>
        <translation>--tls-client-ca et --tls-require-client-cert nécessitent wss (--tls-cert ou --tls-self-signed).</translation>
    </message>
    <message>
        <source>--tls-require-client-cert needs --tls-client-ca FILE.</source>
        <translation>--tls-require-client-cert nécessite --tls-client-ca FICHIER.</translation>
    </message>
    <message>
        <source>--listen: &quot;%1&quot; is not localhost or an IP address.</source>
        <translation>--listen : « %1 » n’est ni localhost ni une adresse IP.</translation>
    </message>
    <message>
        <source>Where to listen (default localhost:8080, that is 127.0.0.1 and ::1; port 0 picks a free one).</source>
        <translation>Où écouter (par défaut localhost:8080, c’est-à-dire 127.0.0.1 et ::1 ; le port 0 en choisit un libre).</translation>
    </message>
    <message>
        <source>Seconds a client has, from the TCP accept, to complete the opening handshake (default 10).</source>
        <translation>Secondes dont dispose un client, depuis l’acceptation TCP, pour achever la poignée de main d’ouverture (10 par défaut).</translation>
    </message>
    <message>
        <source>Largest upgrade request head in bytes (default 16384); larger ones get 431.</source>
        <translation>Taille maximale de l’en-tête d’une requête de mise à niveau en octets (16384 par défaut) ; au-delà, réponse 431.</translation>
    </message>
    <message>
        <source>Longest request or header line in bytes (default and most 8000); longer ones get 431.</source>
        <translation>Longueur maximale d’une ligne de requête ou d’en-tête en octets (8000 par défaut et au plus) ; au-delà, réponse 431.</translation>
    </message>
    <message>
        <source>Most header fields in an upgrade request (default and most 100); more get 431.</source>
        <translation>Nombre maximal de champs d’en-tête d’une requête de mise à niveau (100 par défaut et au plus) ; au-delà, réponse 431.</translation>
    </message>
    <message>
        <source>COUNT</source>
        <translation>NOMBRE</translation>
    </message>
    <message>
        <source>--%1: &quot;%2&quot; is not a number from %3 to %4.</source>
        <translation>--%1 : « %2 » n’est pas un nombre de %3 à %4.</translation>
    </message>
    <message>
        <source>--max-header-fields: &quot;%1&quot; is not a number from 1 to %2.</source>
        <translation>--max-header-fields : « %1 » n’est pas un nombre de 1 à %2.</translation>
    </message>
    <message>
        <source>--handshake-timeout: &quot;%1&quot; is not a number of seconds from 0.1 to 3600.</source>
        <translation>--handshake-timeout : « %1 » n’est pas un nombre de secondes de 0,1 à 3600.</translation>
    </message>
    <message>
        <source>Open one WebSocket connection without a window (like wscat -c).
Received text messages are printed to stdout, one a line (binary as hex); status lines go to stderr.
When it ends: with --expect N, after N received messages; with --stdin, when standard input ends; otherwise when the server closes, on SIGINT/SIGTERM (close 1001), or when --timeout elapses (then it closes with --close and exits 0).
Exit codes: 0 after a closing handshake, 1 on a connection, handshake or TLS failure, an abnormal end (1006), a connection the client failed because the server broke the protocol (1002, 1007) or sent a message over --max-message-size (1009), or --expect not met in time, 2 on usage errors.</source>
        <translation>Ouvrir une connexion WebSocket sans fenêtre (comme wscat -c).
Les messages texte reçus sont affichés sur stdout, un par ligne (le binaire en hexadécimal) ; les lignes d’état vont sur stderr.
Fin : avec --expect N, après N messages reçus ; avec --stdin, à la fin de l’entrée standard ; sinon quand le serveur ferme, sur SIGINT/SIGTERM (fermeture 1001) ou à l’expiration de --timeout (fermeture avec --close puis sortie avec 0).
Codes de sortie : 0 après une négociation de fermeture, 1 en cas d’échec de connexion, de négociation ou TLS, de fin anormale (1006), d’une connexion que le client a mise en échec parce que le serveur a enfreint le protocole (1002, 1007) ou envoyé un message au-delà de --max-message-size (1009), ou de --expect non atteint à temps, 2 en cas d’erreur d’utilisation.</translation>
    </message>
    <message>
        <source>Largest message accepted from the server, in bytes (default 16777216, 16 MiB); a larger one closes the connection with 1009.</source>
        <translation>Plus grand message accepté du serveur, en octets (16777216 par défaut, 16 Mio) ; un message plus grand ferme la connexion avec 1009.</translation>
    </message>
    <message>
        <source>--max-message-size: expected a number of bytes from 1 to %1.</source>
        <translation>--max-message-size : un nombre d’octets de 1 à %1 est attendu.</translation>
    </message>
</context>
<context>
    <name>sockpit::client::WireTap</name>
    <message>
        <source>The wire tap received an oversized proxy request.</source>
        <translation>La sonde de ligne a reçu une requête proxy trop volumineuse.</translation>
    </message>
    <message>
        <source>The wire tap received a request it does not understand.</source>
        <translation>La sonde de ligne a reçu une requête qu’elle ne comprend pas.</translation>
    </message>
    <message>
        <source>Connection refused by %1: nothing is listening there.</source>
        <translation>Connexion refusée par %1 : rien n’y écoute.</translation>
    </message>
    <message>
        <source>The host name &quot;%1&quot; could not be resolved.</source>
        <translation>Le nom d’hôte « %1 » n’a pas pu être résolu.</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2.</source>
        <translation>Impossible de se connecter à %1 : %2.</translation>
    </message>
    <message>
        <source>Timed out after %1 ms while connecting to %2.</source>
        <translation>Délai dépassé après %1 ms lors de la connexion à %2.</translation>
    </message>
    <message>
        <source>no TLS library is available to Qt</source>
        <translation>aucune bibliothèque TLS n’est disponible pour Qt</translation>
    </message>
    <message>
        <source>The TLS handshake with %1 failed: %2</source>
        <translation>La négociation TLS avec %1 a échoué : %2</translation>
    </message>
    <message>
        <source>the server&apos;s Close frame has a 1-byte body, too short for a status code (RFC 6455 section 5.5.1)</source>
        <translation>la trame Close du serveur a un corps de 1 octet, trop court pour un code d’état (RFC 6455, section 5.5.1)</translation>
    </message>
    <message>
        <source>the server&apos;s Close frame carries close code %1, which must not be sent (RFC 6455 section 7.4)</source>
        <translation>la trame Close du serveur porte le code de fermeture %1, qui ne doit pas être envoyé (RFC 6455, section 7.4)</translation>
    </message>
    <message>
        <source>the reason in the server&apos;s Close frame is not valid UTF-8 (RFC 6455 section 5.5.1)</source>
        <translation>la raison dans la trame Close du serveur n’est pas de l’UTF-8 valide (RFC 6455, section 5.5.1)</translation>
    </message>
    <message>
        <source>the bytes %1</source>
        <translation>les octets %1</translation>
    </message>
    <message>
        <source>The server&apos;s HTTP response head is larger than %1 bytes.</source>
        <translation>L’en-tête de la réponse HTTP du serveur dépasse %1 octets.</translation>
    </message>
    <message>
        <source>The server&apos;s answer is not a valid HTTP response head; its first line is %1.</source>
        <translation>La réponse du serveur n’est pas un en-tête de réponse HTTP valide ; sa première ligne est %1.</translation>
    </message>
    <message>
        <source>The server&apos;s answer is not HTTP: it began with %1 where a status line such as &quot;HTTP/1.1 101 Switching Protocols&quot; was expected.</source>
        <translation>La réponse du serveur n’est pas du HTTP : elle commençait par %1 là où une ligne d’état telle que « HTTP/1.1 101 Switching Protocols » était attendue.</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects the extension &quot;%1&quot;, which the client did not offer (RFC 6455 section 4.1).</source>
        <translation>La réponse de négociation du serveur choisit l’extension « %1 », que le client n’a pas proposée (RFC 6455, section 4.1).</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects %1 subprotocols (&quot;%2&quot;); it must select one of those requested (RFC 6455 section 4.1).</source>
        <translation>La réponse de négociation du serveur choisit %1 sous-protocoles (« %2 ») ; elle doit en choisir un parmi ceux demandés (RFC 6455, section 4.1).</translation>
    </message>
    <message>
        <source>The server&apos;s handshake response selects the subprotocol &quot;%1&quot;, which the client did not request (RFC 6455 section 4.1).</source>
        <translation>La réponse de négociation du serveur choisit le sous-protocole « %1 », que le client n’a pas demandé (RFC 6455, section 4.1).</translation>
    </message>
    <message>
        <source>the server sent a masked frame (RFC 6455 section 5.1)</source>
        <translation>le serveur a envoyé une trame masquée (RFC 6455, section 5.1)</translation>
    </message>
    <message>
        <source>The server&apos;s answer ended before its HTTP head was complete; it began with %1.</source>
        <translation>La réponse du serveur s’est terminée avant que son en-tête HTTP soit complet ; elle commençait par %1.</translation>
    </message>
</context>
<context>
    <name>sockpit::frames::FrameDecoder</name>
    <message>
        <source>RSV bits set without a negotiated extension (RFC 6455 section 5.2)</source>
        <translation>bits RSV positionnés sans extension négociée (RFC 6455, section 5.2)</translation>
    </message>
    <message>
        <source>reserved opcode 0x%1 (RFC 6455 section 5.2)</source>
        <translation>opcode réservé 0x%1 (RFC 6455, section 5.2)</translation>
    </message>
    <message>
        <source>fragmented control frame (RFC 6455 section 5.5)</source>
        <translation>trame de contrôle fragmentée (RFC 6455, section 5.5)</translation>
    </message>
    <message>
        <source>control frame payload longer than 125 bytes (RFC 6455 section 5.5)</source>
        <translation>charge utile de trame de contrôle de plus de 125 octets (RFC 6455, section 5.5)</translation>
    </message>
    <message>
        <source>payload length %1 not minimally encoded in 16 bits (RFC 6455 section 5.2)</source>
        <translation>longueur de charge utile %1 non codée de façon minimale sur 16 bits (RFC 6455, section 5.2)</translation>
    </message>
    <message>
        <source>64-bit payload length with the most significant bit set (RFC 6455 section 5.2)</source>
        <translation>longueur de charge utile sur 64 bits avec le bit de poids fort positionné (RFC 6455, section 5.2)</translation>
    </message>
    <message>
        <source>payload length %1 not minimally encoded in 64 bits (RFC 6455 section 5.2)</source>
        <translation>longueur de charge utile %1 non codée de façon minimale sur 64 bits (RFC 6455, section 5.2)</translation>
    </message>
    <message>
        <source>frame payload of %1 bytes exceeds the limit of %2 bytes (RFC 6455 section 7.4.1, 1009)</source>
        <translation>la charge utile de trame de %1 octets dépasse la limite de %2 octets (RFC 6455, section 7.4.1, 1009)</translation>
    </message>
</context>
<context>
    <name>sockpit::frames::MessageAssembler</name>
    <message>
        <source>continuation frame without a message to continue (RFC 6455 section 5.4)</source>
        <translation>trame de continuation sans message à continuer (RFC 6455, section 5.4)</translation>
    </message>
    <message>
        <source>new data frame while a fragmented message is unfinished (RFC 6455 section 5.4)</source>
        <translation>nouvelle trame de données alors qu’un message fragmenté est inachevé (RFC 6455, section 5.4)</translation>
    </message>
    <message>
        <source>message larger than the limit of %1 bytes (RFC 6455 section 7.4.1, 1009)</source>
        <translation>message plus grand que la limite de %1 octets (RFC 6455, section 7.4.1, 1009)</translation>
    </message>
    <message>
        <source>text message is not valid UTF-8 (RFC 6455 section 8.1)</source>
        <translation>le message texte n’est pas de l’UTF-8 valide (RFC 6455, section 8.1)</translation>
    </message>
</context>
<context>
    <name>sockpit::protocol</name>
    <message>
        <source>The request is empty.</source>
        <translation>La requête est vide.</translation>
    </message>
    <message>
        <source>The request line is not &quot;METHOD TARGET HTTP/1.1&quot;.</source>
        <translation>La ligne de requête n’est pas « MÉTHODE CIBLE HTTP/1.1 ».</translation>
    </message>
    <message>
        <source>The request method is not a valid token.</source>
        <translation>La méthode de la requête n’est pas un jeton valide.</translation>
    </message>
    <message>
        <source>The request target contains white space.</source>
        <translation>La cible de la requête contient des espaces.</translation>
    </message>
    <message>
        <source>The request line does not end with an HTTP version.</source>
        <translation>La ligne de requête ne se termine pas par une version HTTP.</translation>
    </message>
    <message>
        <source>A header field is folded over several lines.</source>
        <translation>Un champ d’en-tête est replié sur plusieurs lignes.</translation>
    </message>
    <message>
        <source>A header line has no name followed by a colon.</source>
        <translation>Une ligne d’en-tête n’a pas de nom suivi de deux-points.</translation>
    </message>
    <message>
        <source>A header name is not a valid token.</source>
        <translation>Un nom d’en-tête n’est pas un jeton valide.</translation>
    </message>
    <message>
        <source>A WebSocket handshake must use the GET method.</source>
        <translation>Une négociation WebSocket doit utiliser la méthode GET.</translation>
    </message>
    <message>
        <source>A WebSocket handshake needs HTTP/1.1 or later.</source>
        <translation>Une négociation WebSocket nécessite HTTP/1.1 ou plus récent.</translation>
    </message>
    <message>
        <source>This is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket).</source>
        <translation>Ceci est un point de terminaison WebSocket : connectez-vous avec un client WebSocket (Upgrade: websocket).</translation>
    </message>
    <message>
        <source>The handshake has no Host header.</source>
        <translation>La négociation n’a pas d’en-tête Host.</translation>
    </message>
    <message>
        <source>The Upgrade header does not ask for &quot;websocket&quot;.</source>
        <translation>L’en-tête Upgrade ne demande pas « websocket ».</translation>
    </message>
    <message>
        <source>The Connection header does not contain &quot;Upgrade&quot;.</source>
        <translation>L’en-tête Connection ne contient pas « Upgrade ».</translation>
    </message>
    <message>
        <source>The handshake has no Sec-WebSocket-Key header.</source>
        <translation>La négociation n’a pas d’en-tête Sec-WebSocket-Key.</translation>
    </message>
    <message>
        <source>The Sec-WebSocket-Key is not the base64 of 16 bytes.</source>
        <translation>Sec-WebSocket-Key n’est pas le base64 de 16 octets.</translation>
    </message>
    <message>
        <source>The handshake has no Sec-WebSocket-Version header.</source>
        <translation>La négociation n’a pas d’en-tête Sec-WebSocket-Version.</translation>
    </message>
    <message>
        <source>WebSocket version %1 is not supported; this server speaks version 13.</source>
        <translation>La version %1 de WebSocket n’est pas prise en charge ; ce serveur parle la version 13.</translation>
    </message>
    <message>
        <source>The origin %1 is not allowed.</source>
        <translation>L’origine %1 n’est pas autorisée.</translation>
    </message>
    <message>
        <source>The handshake has no Origin header and only listed origins are allowed.</source>
        <translation>La négociation n’a pas d’en-tête Origin et seules les origines listées sont autorisées.</translation>
    </message>
    <message>
        <source>The request head is larger than %1 bytes.</source>
        <translation>L’en-tête de la requête dépasse %1 octets.</translation>
    </message>
    <message>
        <source>A line of the request is longer than %1 bytes.</source>
        <translation>Une ligne de la requête dépasse %1 octets.</translation>
    </message>
    <message>
        <source>This is a plain ws:// server, and the client began a TLS handshake: connect with ws://, or serve wss:// with a certificate.</source>
        <translation>Ce serveur est en ws:// simple et le client a commencé une poignée de main TLS : connectez-vous en ws://, ou servez wss:// avec un certificat.</translation>
    </message>
    <message>
        <source>The request does not start with an HTTP method.</source>
        <translation>La requête ne commence pas par une méthode HTTP.</translation>
    </message>
    <message>
        <source>The request&apos;s lines must end with CR LF.</source>
        <translation>Les lignes de la requête doivent se terminer par CR LF.</translation>
    </message>
    <message>
        <source>The request has more than %1 header fields.</source>
        <translation>La requête a plus de %1 champs d’en-tête.</translation>
    </message>
    <message>
        <source>This server speaks HTTP/1.1; the request says %1.</source>
        <translation>Ce serveur parle HTTP/1.1 ; la requête indique %1.</translation>
    </message>
    <message>
        <source>The request target %1 is not a path such as /chat.</source>
        <translation>La cible de la requête %1 n’est pas un chemin tel que /chat.</translation>
    </message>
</context>
</TS>
