/**
 * The German texts of this provider's part of the editor's catalog, keyed by the English text.
 * nodes/shared/catalog-i18n.ts lays them over the English catalog for a German editor; field
 * labels may carry soft hyphens (\u00ad) where a long compound must wrap in the form's label
 * column. test/nodes/catalog-i18n.test.ts keeps them complete and current.
 */
import type { CatalogTexts } from '../types';

export const germanTexts: CatalogTexts = {
  'CryptoPay payment orders':
    'CryptoPay-Zahlungsaufträge',
  'Username':
    'Benutzername',
  'Password':
    'Passwort',
  'API key (token)':
    'API-Schlüssel (Token)',
  'Webhook secret':
    'Webhook-Geheimnis',
  'Create payment order':
    'Zahlungsauftrag anlegen',
  'Creates a payment order the customer pays by sending crypto to your merchant wallet on the chosen chain. The nonce makes it safe to retry: a retried message with the same nonce returns the order already made (msg.paywire.replayed = true) instead of a second one.':
    'Legt einen Zahlungsauftrag an, den der Kunde bezahlt, indem er Krypto auf der gewählten Chain an Ihre Händler-Wallet sendet. Die Nonce macht Wiederholungen sicher: Eine wiederholte Nachricht mit derselben Nonce gibt den bereits angelegten Auftrag zurück (msg.paywire.replayed = true) statt eines zweiten.',
  'Amount':
    'Betrag',
  'Decimal amount in the currency, e.g. "100.00".':
    'Dezimalbetrag in der Währung, z. B. "100.00".',
  'Currency':
    'Währung',
  'Token symbol, e.g. USDC or ETH; it must be supported on the blockchain.':
    'Token-Symbol, z. B. USDC oder ETH; es muss auf der Blockchain unterstützt sein.',
  'Blockchain':
    'Blockchain',
  'Chain slug, e.g. base, ethereum or polygon.':
    'Kurzname der Chain, z. B. base, ethereum oder polygon.',
  'Order info':
    'Auftragsangaben',
  'What the order is for: an object (sent JSON-encoded) or JSON text, e.g. {"product":"Premium Plan","quantity":1}.':
    'Wofür der Auftrag ist: ein Objekt (wird JSON-kodiert gesendet) oder JSON-Text, z. B. {"product":"Premium Plan","quantity":1}.',
  'Nonce':
    'Nonce',
  'Unique per order. Generated when empty (Unix microseconds) and written back to msg.payload.nonce (or msg.idempotencyKey), so a retried message never creates a second order.':
    'Eindeutig pro Auftrag. Wird erzeugt, wenn leer (Unix-Mikrosekunden), und nach msg.payload.nonce (oder msg.idempotencyKey) zurückgeschrieben, sodass eine wiederholte Nachricht nie einen zweiten Auftrag anlegt.',
  'Webhook URL':
    'Webhook-URL',
  'Where this order’s webhooks also go (signed with your account’s webhook secret).':
    'Wohin die Webhooks dieses Auftrags zusätzlich gehen (signiert mit dem Webhook-Geheimnis Ihres Kontos).',
  'Redirect URL':
    'Weiterleitungs-URL',
  'Where the payer is sent after paying.':
    'Wohin der Zahlende nach dem Bezahlen geschickt wird.',
  'Expires at':
    'Läuft ab am',
  'ISO-8601 time, e.g. 2024-01-01T12:00:00Z (default: 2 hours).':
    'Zeitpunkt nach ISO 8601, z. B. 2024-01-01T12:00:00Z (Vorgabe: 2 Stunden).',
  'Get payment order':
    'Zahlungsauftrag lesen',
  'Reads one payment order: its status and, once a payment is detected, its transaction.':
    'Liest einen Zahlungsauftrag: seinen Status und, sobald eine Zahlung erkannt wurde, seine Transaktion.',
  'Order id':
    'Auftrags-ID',
  'ORD-… or the numeric id; from msg.payload.order_id, else msg.payload.id.':
    'ORD-… oder die numerische ID; aus msg.payload.order_id, sonst msg.payload.id.',
  'List payment orders':
    'Zahlungsaufträge auflisten',
  'Your payment orders, newest first, page after page.':
    'Ihre Zahlungsaufträge, die neuesten zuerst, Seite für Seite.',
  'Status':
    'Status',
  'pending, confirmed, failed or expired.':
    'pending, confirmed, failed oder expired.',
  'e.g. USDC.':
    'z. B. USDC.',
  'Only the order made with this nonce: how to find an order whose create answer was lost.':
    'Nur der Auftrag, der mit dieser Nonce erstellt wurde: so finden Sie einen Auftrag, dessen Antwort beim Erstellen verloren ging.',
  'Page size':
    'Seitengröße',
  'Rows per request, 1–100 (default 20); every page is fetched.':
    'Zeilen pro Anfrage, 1–100 (Vorgabe 20); jede Seite wird abgerufen.',
  'List transactions':
    'Transaktionen auflisten',
  'The on-chain payments of your orders, newest first, page after page.':
    'Die Blockchain-Zahlungen Ihrer Aufträge, die neuesten zuerst, Seite für Seite.',
  'pending, confirmed or failed.':
    'pending, confirmed oder failed.',
  'Only the payments of this order (ORD-…).':
    'Nur die Zahlungen dieses Auftrags (ORD-…).',
  'Get transaction':
    'Transaktion lesen',
  'Reads one payment transaction by its hash: confirmations, block, addresses.':
    'Liest eine Zahlungstransaktion über ihren Hash: Bestätigungen, Block, Adressen.',
  'Transaction hash':
    'Transaktions-Hash',
  '0x…; from msg.payload.transaction_hash, else msg.payload.hash.':
    '0x…; aus msg.payload.transaction_hash, sonst msg.payload.hash.',
  'List merchant wallets':
    'Händler-Wallets auflisten',
  'The wallets payments land in, one active per blockchain.':
    'Die Wallets, auf denen Zahlungen eingehen, eine aktive pro Blockchain.',
  'Active':
    'Aktiv',
  'true or false.':
    'true oder false.',
  'Add merchant wallet':
    'Händler-Wallet hinzufügen',
  'Adds a wallet address for a blockchain. Only one wallet per blockchain can be active: add a second one inactive, then switch with "update".':
    'Fügt eine Wallet-Adresse für eine Blockchain hinzu. Pro Blockchain kann nur eine Wallet aktiv sein: Fügen Sie eine zweite inaktiv hinzu und wechseln Sie dann mit „Händler-Wallet ändern“.',
  'Address':
    'Adresse',
  'Your wallet address on that chain (0x…).':
    'Ihre Wallet-Adresse auf dieser Chain (0x…).',
  'Label':
    'Bezeichnung',
  'Your name for the wallet.':
    'Ihr Name für die Wallet.',
  'Update merchant wallet':
    'Händler-Wallet ändern',
  'Changes a wallet: address, label or whether it is active. Fields left empty keep their value.':
    'Ändert eine Wallet: Adresse, Bezeichnung oder ob sie aktiv ist. Leer gelassene Felder behalten ihren Wert.',
  'Wallet id':
    'Wallet-ID',
  'From msg.payload.wallet_id, else msg.payload.id.':
    'Aus msg.payload.wallet_id, sonst msg.payload.id.',
  'List webhook endpoints':
    'Webhook-Endpunkte auflisten',
  'The URLs webhooks are delivered to, with their events (secrets are not shown).':
    'Die URLs, an die Webhooks zugestellt werden, mit ihren Ereignissen (Secrets werden nicht angezeigt).',
  'Create webhook endpoint':
    'Webhook-Endpunkt anlegen',
  'Registers a URL for webhooks (all four events unless you choose), signed with the gateway’s webhook secret unless you give another.':
    'Registriert eine URL für Webhooks (alle vier Ereignisse, sofern Sie keine auswählen), signiert mit dem Webhook-Geheimnis des Gateways, sofern Sie kein anderes Secret angeben.',
  'URL':
    'URL',
  'Where the webhooks are POSTed, e.g. the URL of a paywire-callback node.':
    'Wohin die Webhooks per POST gesendet werden, z. B. die URL eines paywire-callback-Nodes.',
  'Events':
    'Ereignisse',
  'A list, or names separated by commas.':
    'Eine Liste oder durch Kommas getrennte Namen.',
  'Secret':
    'Secret',
  'Signs the deliveries. Default on create: the gateway’s webhook secret, so a paywire-callback node on this gateway verifies them. Never put on the output message.':
    'Signiert die Zustellungen. Vorgabe beim Anlegen: das Webhook-Geheimnis des Gateways, sodass ein paywire-callback-Node mit diesem Gateway sie prüft. Kommt nie in die ausgehende Nachricht.',
  'Update webhook endpoint':
    'Webhook-Endpunkt ändern',
  'Changes an endpoint: URL, events, secret or whether it is active. Fields left empty keep their value.':
    'Ändert einen Endpunkt: URL, Ereignisse, Secret oder ob er aktiv ist. Leer gelassene Felder behalten ihren Wert.',
  'Endpoint id':
    'Endpunkt-ID',
  'From msg.payload.webhook_endpoint_id, else msg.payload.id.':
    'Aus msg.payload.webhook_endpoint_id, sonst msg.payload.id.',
  'create payment order':
    'Zahlungsauftrag anlegen',
  'get payment order':
    'Zahlungsauftrag lesen',
  'list payment orders':
    'Zahlungsaufträge auflisten',
  'CryptoPay payment orders: log in with a username and password, or fill in only an API key (token). The login token is kept in memory and renewed when it expires.':
    'CryptoPay-Zahlungsaufträge: Melden Sie sich mit Benutzername und Passwort an, oder tragen Sie nur einen API-Schlüssel (Token) ein. Das Anmelde-Token wird im Speicher gehalten und erneuert, wenn es abläuft.',
};
