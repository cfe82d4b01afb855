/**
 * The German texts of this provider's part of the editor's catalog, keyed by the English text.
 * nodes/shared/catalog-i18n.ts lays them over the English catalog for a German editor; field
 * labels may carry soft hyphens (\u00ad) where a long compound must wrap in the form's label
 * column. test/nodes/catalog-i18n.test.ts keeps them complete and current.
 */
import type { CatalogTexts } from '../types';

export const germanTexts: CatalogTexts = {
  'CPG (Crypto Payment Gateway)':
    'CPG (Crypto Payment Gateway)',
  'Key id':
    'Schlüssel-ID',
  'Secret':
    'Secret',
  'Webhook signing secret':
    'Webhook-Signaturgeheimnis',
  'Create deposit address':
    'Einzahlungsadresse anlegen',
  'Allocates an address for the payer to send crypto to. With user_identifier the same user always gets the same address. There is no amount: whatever arrives is reported by the deposit webhooks.':
    'Vergibt eine Adresse, an die der Zahlende Krypto sendet. Mit user_identifier erhält derselbe Nutzer immer dieselbe Adresse. Es gibt keinen Betrag: Was eingeht, melden die Einzahlungs-Webhooks.',
  'Currency':
    'Währung',
  'e.g. USDT or ETH, as listed by "list currencies".':
    'z. B. USDT oder ETH, wie von „Währungen auflisten“ geliefert.',
  'Network':
    'Netzwerk',
  'e.g. ETH, BSC or TRX.':
    'z. B. ETH, BSC oder TRX.',
  'User identifier':
    'Benutzerkennung',
  'Your id for the payer; makes the address sticky (the same address on this network every time).':
    'Ihre ID für den Zahlenden; macht die Adresse dauerhaft (jedes Mal dieselbe Adresse auf diesem Netzwerk).',
  'Idempotency key':
    'Idempotenz\u00adschlüssel',
  'Generated when empty and written back to msg.payload.idempotency_key (or msg.idempotencyKey), so a retry gets the same address.':
    'Wird erzeugt, wenn leer, und nach msg.payload.idempotency_key (oder msg.idempotencyKey) zurückgeschrieben, sodass eine Wiederholung dieselbe Adresse erhält.',
  'Get deposit request':
    'Einzahlungsanfrage lesen',
  'Reads a deposit request: its status and every on-chain transaction seen for its address.':
    'Liest eine Einzahlungsanfrage: ihren Status und jede Blockchain-Transaktion, die für ihre Adresse gesehen wurde.',
  'Request id':
    'Anfrage-ID',
  'From msg.payload.request_id or msg.payload.deposit_request_id.':
    'Aus msg.payload.request_id oder msg.payload.deposit_request_id.',
  'Withdraw':
    'Auszahlen',
  'Sends crypto from your CPG balance; the fee is held on top of the amount. The answer comes once the transaction is broadcast; withdrawal.confirmed or withdrawal.failed follow as webhooks.':
    'Sendet Krypto aus Ihrem CPG-Guthaben; die Gebühr wird zusätzlich zum Betrag reserviert. Die Antwort kommt, sobald die Transaktion übertragen ist; withdrawal.confirmed oder withdrawal.failed folgen als Webhooks.',
  'To address':
    'Zieladresse',
  'Checked against the network before any balance is held.':
    'Wird gegen das Netzwerk geprüft, bevor Guthaben reserviert wird.',
  'Amount':
    'Betrag',
  'At least the currency’s min_withdrawal_amount.':
    'Mindestens der min_withdrawal_amount der Währung.',
  'Client reference':
    'Eigene Referenz',
  'Your payout reference and CPG’s idempotency key. Generated when empty and written back to msg.payload.client_reference (or msg.idempotencyKey), so a retried message never pays twice.':
    'Ihre Auszahlungsreferenz und der Idempotenzschlüssel von CPG. Wird erzeugt, wenn leer, und nach msg.payload.client_reference (oder msg.idempotencyKey) zurückgeschrieben, sodass eine wiederholte Nachricht nie doppelt zahlt.',
  'Get withdrawal':
    'Auszahlung lesen',
  'Reads one withdrawal: status, fee, transaction hash and the error of a failed one.':
    'Liest eine Auszahlung: Status, Gebühr, Transaktions-Hash und bei einer fehlgeschlagenen den Fehler.',
  'Withdrawal id':
    'Auszahlungs-ID',
  'From msg.payload.withdrawal_id or msg.payload.id.':
    'Aus msg.payload.withdrawal_id oder msg.payload.id.',
  'List transactions':
    'Transaktionen auflisten',
  'Every on-chain transaction of the account (deposits, withdrawals, sweeps, gas top-ups), newest first, page after page.':
    'Jede Blockchain-Transaktion des Kontos (Einzahlungen, Auszahlungen, Sweeps, Gas-Aufladungen), die neueste zuerst, Seite für Seite.',
  'Direction':
    'Richtung',
  'deposit, withdrawal, sweep or gas_topup.':
    'deposit, withdrawal, sweep oder gas_topup.',
  'Status':
    'Status',
  'e.g. pending or confirmed.':
    'z. B. pending oder confirmed.',
  'Page size':
    'Seitengröße',
  'Rows per request, 1–200 (default 50).':
    'Zeilen pro Anfrage, 1–200 (Vorgabe 50).',
  'List balances':
    'Guthaben auflisten',
  'Your balance per currency and network.':
    'Ihr Guthaben pro Währung und Netzwerk.',
  'List currencies':
    'Währungen auflisten',
  'Currencies enabled on the account, with minimums and withdrawal fees.':
    'Die auf dem Konto freigeschalteten Währungen mit Mindestbeträgen und Auszahlungsgebühren.',
  'Get hot wallet address':
    'Hot-Wallet-Adresse lesen',
  'The address withdrawals on a network are sent from; keep it funded with the asset and native gas.':
    'Die Adresse, von der Auszahlungen auf einem Netzwerk gesendet werden; halten Sie sie mit dem Asset und nativem Gas gedeckt.',
  'Ping':
    'Ping',
  'A signed no-op: proves the base URL, key, secret and clock work (it needs no permission).':
    'Ein signierter Aufruf ohne Wirkung: zeigt, dass Basis-URL, Schlüssel, Secret und Uhr stimmen (er braucht keine Berechtigung).',
  'create deposit address':
    'Einzahlungsadresse anlegen',
  'get deposit request':
    'Einzahlungsanfrage lesen',
};
