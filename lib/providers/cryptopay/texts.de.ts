/**
 * The German texts of this provider's part of the editor's catalog, keyed by the English text.
 * nodes/shared/catalog-i18n.ts lays them over the English catalog for a German editor; field
 * labels may carry soft hyphens (\u00ad) where a long compound must wrap in the form's label
 * column. test/nodes/catalog-i18n.test.ts keeps them complete and current.
 */
import type { CatalogTexts } from '../types';

export const germanTexts: CatalogTexts = {
  'Cryptopay (cryptopay.me)':
    'Cryptopay (cryptopay.me)',
  'API key':
    'API-Schlüssel',
  'API secret':
    'API-Geheimnis',
  'Callback secret':
    'Callback-Geheimnis',
  'Create invoice':
    'Rechnung erstellen',
  'Creates an invoice the customer pays in crypto. With a custom_id, a retried message that meets "duplicate custom id" returns the invoice already created (msg.paywire.replayed = true) instead of failing.':
    'Erstellt eine Rechnung, die der Kunde in Krypto bezahlt. Mit einer custom_id gibt eine wiederholte Nachricht, die auf „duplicate custom id“ trifft, die bereits erstellte Rechnung zurück (msg.paywire.replayed = true), statt fehlzuschlagen.',
  'Price amount':
    'Preisbetrag',
  'Amount in the price currency, e.g. "100.00".':
    'Betrag in der Preiswährung, z. B. "100.00".',
  'Price currency':
    'Preiswährung',
  'Currency credited to you, fiat or crypto, e.g. EUR.':
    'Währung, die Ihnen gutgeschrieben wird, Fiat oder Krypto, z. B. EUR.',
  'Pay currency':
    'Zahlungswährung',
  'Cryptocurrency the customer pays in, e.g. BTC.':
    'Kryptowährung, in der der Kunde bezahlt, z. B. BTC.',
  'Network':
    'Netzwerk',
  'Blockchain network, e.g. ethereum or tron (see Coins).':
    'Blockchain-Netzwerk, z. B. ethereum oder tron (siehe Coins).',
  'Custom id':
    'Custom-ID',
  'Your order reference; unique per invoice.':
    'Ihre Bestellreferenz; eindeutig pro Rechnung.',
  'Customer id':
    'Kunden-ID',
  'Name':
    'Name',
  'Description':
    'Beschreibung',
  'Metadata':
    'Metadaten',
  'Object of string values kept with the invoice.':
    'Objekt mit String-Werten, das mit der Rechnung gespeichert wird.',
  'Success redirect URL':
    'Weiterleitungs-URL bei Erfolg',
  'Unsuccess redirect URL':
    'Weiterleitungs-URL bei Misserfolg',
  'Payer email':
    'E-Mail des Zahlenden',
  'Get invoice':
    'Rechnung lesen',
  'Reads one invoice by its id, or by your custom_id.':
    'Liest eine Rechnung über ihre ID oder über Ihre custom_id.',
  'Invoice id':
    'Rechnungs-ID',
  'From msg.payload.invoice_id, or msg.payload.id when the payload is the invoice itself.':
    'Aus msg.payload.invoice_id, oder aus msg.payload.id, wenn die Payload selbst die Rechnung ist.',
  'Look it up by your own reference instead.':
    'Stattdessen über Ihre eigene Referenz suchen.',
  'List invoices':
    'Rechnungen auflisten',
  'Lists invoices newest first, fetching page after page (50 per page) as the flow consumes them.':
    'Listet Rechnungen auf, die neuesten zuerst, und ruft Seite für Seite ab (50 pro Seite), während der Flow sie verarbeitet.',
  'Only this customer’s invoices.':
    'Nur die Rechnungen dieses Kunden.',
  'Subscription id':
    'Abo-ID',
  'Only invoices of this subscription.':
    'Nur die Rechnungen dieses Abos.',
  'Refund invoice':
    'Rechnung erstatten',
  'Refunds an unresolved invoice (underpaid, overpaid or paid late). Without an address the refund goes to your own Cryptopay account.':
    'Erstattet eine ungeklärte Rechnung (zu wenig, zu viel oder verspätet bezahlt). Ohne Adresse geht die Erstattung an Ihr eigenes Cryptopay-Konto.',
  'Refund address':
    'Erstattungs\u00adadresse',
  'External wallet to refund to. Read from msg.payload.refund_address, never from an invoice’s own address.':
    'Externe Wallet, an die erstattet wird. Wird aus msg.payload.refund_address gelesen, nie aus der eigenen Adresse einer Rechnung.',
  'List refunds':
    'Erstattungen auflisten',
  'Lists the refunds of one invoice.':
    'Listet die Erstattungen einer Rechnung auf.',
  'Recalculate invoice':
    'Rechnung neu berechnen',
  'Recalculates an unresolved invoice at the current rate. Without force commit, follow with "commit recalculation" within 30 seconds.':
    'Berechnet eine ungeklärte Rechnung zum aktuellen Kurs neu. Ohne „Sofort bestätigen“ muss innerhalb von 30 Sekunden „Neuberechnung bestätigen“ folgen.',
  'Force commit':
    'Sofort bestätigen',
  'Commit at once instead of in two steps.':
    'Sofort bestätigen statt in zwei Schritten.',
  'Commit recalculation':
    'Neuberechnung bestätigen',
  'Commits a two-step recalculation; the invoice then completes at the new amount.':
    'Bestätigt eine zweistufige Neuberechnung; die Rechnung wird dann mit dem neuen Betrag abgeschlossen.',
  'Recalculation id':
    'Neuberechnungs-ID',
  'From msg.payload.recalculation_id, or msg.payload.id when the payload is the recalculation itself.':
    'Aus msg.payload.recalculation_id, oder aus msg.payload.id, wenn die Payload selbst die Neuberechnung ist.',
  'Withdraw':
    'Auszahlen',
  'Sends crypto from your Cryptopay balance. Give exactly one amount: charged_amount (fees taken out of it), charged_amount_to_send or received_amount (fees on top), or amount + amount_currency with the two "includes fee" switches. Without force commit the withdrawal waits for "commit" (within 30 s).':
    'Sendet Krypto aus Ihrem Cryptopay-Guthaben. Geben Sie genau einen Betrag an: charged_amount (die Gebühren werden davon abgezogen), charged_amount_to_send oder received_amount (die Gebühren kommen hinzu) oder amount + amount_currency mit den beiden Schaltern, ob die Gebühren im Betrag enthalten sind. Ohne „Sofort bestätigen“ wartet die Auszahlung auf „Auszahlung bestätigen“ (innerhalb von 30 s).',
  'Address':
    'Adresse',
  'Recipient address; XRP tag as address?dt=TAG, XLM memo as address?memoId=ID.':
    'Adresse des Empfängers; XRP-Tag als address?dt=TAG, XLM-Memo als address?memoId=ID.',
  'Charged currency':
    'Belastete Währung',
  'Your account to debit, e.g. EUR or USDT.':
    'Ihr zu belastendes Konto, z. B. EUR oder USDT.',
  'Received currency':
    'Empfangene Währung',
  'Cryptocurrency to send, e.g. BTC.':
    'Zu sendende Kryptowährung, z. B. BTC.',
  'e.g. tron or ethereum for USDT.':
    'z. B. tron oder ethereum für USDT.',
  'Charged amount':
    'Belasteter Betrag',
  'Total debited; fees come out of it.':
    'Insgesamt belasteter Betrag; die Gebühren werden davon abgezogen.',
  'Charged amount to send':
    'Zu sendender Betrag',
  'Amount to send in the charged currency; fees on top.':
    'Zu sendender Betrag in der belasteten Währung; die Gebühren kommen hinzu.',
  'Received amount':
    'Empfangener Betrag',
  'Amount the recipient gets, in the received currency; fees on top.':
    'Betrag, den der Empfänger erhält, in der empfangenen Währung; die Gebühren kommen hinzu.',
  'Amount':
    'Betrag',
  'Newer mode: amount in amount_currency.':
    'Neuere Art: Betrag in amount_currency.',
  'Amount currency':
    'Währung des Betrags',
  'The charged or the received currency.':
    'Die belastete oder die empfangene Währung.',
  'Amount includes processing fee':
    'Betrag enthält Bearbeitungs\u00adgebühr',
  'Amount includes network fee':
    'Betrag enthält Netzwerkgebühr',
  'Network fee level':
    'Stufe der Netzwerkgebühr',
  'fast, average (default) or slow.':
    'fast, average (Vorgabe) oder slow.',
  'Your payout reference. Generated when empty and written back to msg.payload.custom_id (or msg.idempotencyKey), so a retried message never pays twice.':
    'Ihre Auszahlungsreferenz. Wird erzeugt, wenn leer, und nach msg.payload.custom_id (oder msg.idempotencyKey) zurückgeschrieben, sodass eine wiederholte Nachricht nie doppelt zahlt.',
  'Send at once instead of waiting for "commit".':
    'Sofort senden, statt auf „Auszahlung bestätigen“ zu warten.',
  'Travel rule compliant':
    'Travel-Rule-konform',
  'Beneficiary':
    'Begünstigter',
  'Travel rule: {type, name, address: {country, city, line_1, line_2, post_code}}.':
    'Travel Rule: {type, name, address: {country, city, line_1, line_2, post_code}}.',
  'Commit withdrawal':
    'Auszahlung bestätigen',
  'Sends a two-step withdrawal created without force commit. Must follow the create within 30 seconds. Committing twice returns the withdrawal, it does not pay twice.':
    'Sendet eine zweistufige Auszahlung, die ohne „Sofort bestätigen“ angelegt wurde. Muss innerhalb von 30 Sekunden nach dem Anlegen folgen. Doppeltes Bestätigen gibt die Auszahlung zurück und zahlt nicht doppelt.',
  'Withdrawal id':
    'Auszahlungs-ID',
  'From msg.payload.withdrawal_id, or msg.payload.id when the payload is the withdrawal itself.':
    'Aus msg.payload.withdrawal_id, oder aus msg.payload.id, wenn die Payload selbst die Auszahlung ist.',
  'Get withdrawal':
    'Auszahlung lesen',
  'Reads one withdrawal by its id, or by your custom_id.':
    'Liest eine Auszahlung über ihre ID oder über Ihre custom_id.',
  'List withdrawals':
    'Auszahlungen auflisten',
  'Lists withdrawals newest first, page by page.':
    'Listet Auszahlungen auf, die neuesten zuerst, Seite für Seite.',
  'Network fees':
    'Netzwerkgebühren',
  'Current network fees per level (BTC: fast, average, slow; other coins: average).':
    'Aktuelle Netzwerkgebühren pro Stufe (BTC: fast, average, slow; andere Coins: average).',
  'All networks':
    'Alle Netzwerke',
  'Fees for every network of every coin.':
    'Gebühren für jedes Netzwerk jedes Coins.',
  'List transactions':
    'Transaktionen auflisten',
  'Every balance movement of your account (the ledger), newest first, filtered and fetched page by page.':
    'Jede Guthabenbewegung Ihres Kontos (die Buchungen), die neueste zuerst, gefiltert und Seite für Seite abgerufen.',
  'Created from':
    'Angelegt ab',
  'ISO 8601, e.g. 2026-01-31T00:00:00Z or 2026-01-31T00:00:00+00:00.':
    'ISO 8601, z. B. 2026-01-31T00:00:00Z oder 2026-01-31T00:00:00+00:00.',
  'Created to':
    'Angelegt bis',
  'Reference type':
    'Referenztyp',
  'Invoice, CoinWithdrawal, ChannelPayment …':
    'Invoice, CoinWithdrawal, ChannelPayment …',
  'Currency':
    'Währung',
  'Account currency, e.g. EUR.':
    'Kontowährung, z. B. EUR.',
  'Status':
    'Status',
  'Status of the referenced object, e.g. completed.':
    'Status des referenzierten Objekts, z. B. completed.',
  'Risk level':
    'Risikostufe',
  'low, medium or high.':
    'low, medium oder high.',
  'List account transactions':
    'Kontotransaktionen auflisten',
  'The ledger of one account (one currency), newest first, page by page.':
    'Die Buchungen eines Kontos (einer Währung), die neueste zuerst, Seite für Seite.',
  'Account id':
    'Konto-ID',
  'From msg.payload.account_id, or msg.payload.id when the payload is the account itself.':
    'Aus msg.payload.account_id, oder aus msg.payload.id, wenn die Payload selbst das Konto ist.',
  'List accounts':
    'Konten auflisten',
  'Your accounts, one per currency, with their balances.':
    'Ihre Konten, eines pro Währung, mit ihren Guthaben.',
  'Get rate':
    'Kurs lesen',
  'Buy and sell rate of one currency pair, e.g. BTC/EUR.':
    'Kauf- und Verkaufskurs eines Währungspaars, z. B. BTC/EUR.',
  'Base currency':
    'Basiswährung',
  'e.g. BTC':
    'z. B. BTC',
  'Quote currency':
    'Kurswährung',
  'e.g. EUR':
    'z. B. EUR',
  'Get all rates':
    'Alle Kurse lesen',
  'Every rate, keyed by pair (both BTCEUR and BTC/EUR).':
    'Alle Kurse, nach Paar geordnet (sowohl BTCEUR als auch BTC/EUR).',
  'List coins':
    'Coins auflisten',
  'Supported coins and their networks, precision and destination tags.':
    'Die unterstützten Coins mit ihren Netzwerken, ihrer Genauigkeit und ihren Destination-Tags.',
  'Score address risk':
    'Adressrisiko bewerten',
  'Risk score (0–10) and level of a crypto address, as a source or a destination of funds. Cryptopay removed this from its SDKs in Dec 2024; an account without it answers not_found.':
    'Risikobewertung (0–10) und Risikostufe einer Krypto-Adresse als Herkunft oder Ziel von Geldern. Cryptopay hat dies im Dez. 2024 aus seinen SDKs entfernt; ein Konto ohne diese Funktion antwortet mit not_found.',
  'BTC, ETH, XRP, LTC or BCH.':
    'BTC, ETH, XRP, LTC oder BCH.',
  'Type':
    'Typ',
  'source_of_funds or destination_of_funds.':
    'source_of_funds oder destination_of_funds.',
  'Create channel':
    'Kanal anlegen',
  'A static deposit address: every payment to it becomes a channel payment credited to you.':
    'Eine feste Einzahlungsadresse: Jede Zahlung an sie wird zu einer Kanalzahlung, die Ihnen gutgeschrieben wird.',
  'Crypto accepted, e.g. BTC.':
    'Akzeptierte Kryptowährung, z. B. BTC.',
  'Receiver currency':
    'Gutschrifts\u00adwährung',
  'Currency credited, e.g. EUR.':
    'Währung der Gutschrift, z. B. EUR.',
  'Your reference; a retried create returns the channel already made.':
    'Ihre Referenz; ein wiederholtes Anlegen gibt den bereits angelegten Kanal zurück.',
  'Get channel':
    'Kanal lesen',
  'Reads a channel by id or custom_id.':
    'Liest einen Kanal über die ID oder die custom_id.',
  'Channel id':
    'Kanal-ID',
  'From msg.payload.channel_id, or msg.payload.id when the payload is the channel itself.':
    'Aus msg.payload.channel_id, oder aus msg.payload.id, wenn die Payload selbst der Kanal ist.',
  'Update channel':
    'Kanal ändern',
  'Renames, re-describes, enables or disables a channel (payments to a disabled channel go on hold).':
    'Benennt einen Kanal um, ändert seine Beschreibung, aktiviert oder deaktiviert ihn (Zahlungen an einen deaktivierten Kanal werden angehalten).',
  'enabled or disabled':
    'enabled oder disabled',
  'List channels':
    'Kanäle auflisten',
  'Lists channels newest first.':
    'Listet Kanäle auf, die neuesten zuerst.',
  'List channel payments':
    'Kanalzahlungen auflisten',
  'Payments received on one channel, newest first, with their state.':
    'Die auf einem Kanal eingegangenen Zahlungen, die neuesten zuerst, mit ihrem Zustand.',
  'Get channel payment':
    'Kanalzahlung lesen',
  'One payment of a channel.':
    'Eine Zahlung eines Kanals.',
  'Channel payment id':
    'Kanalzahlungs-ID',
  'From msg.payload.channel_payment_id, or msg.payload.id when the payload is the channel payment itself.':
    'Aus msg.payload.channel_payment_id, oder aus msg.payload.id, wenn die Payload selbst die Kanalzahlung ist.',
  'Create customer':
    'Kunden anlegen',
  'Registers a customer with refund addresses, used to refund high-risk payments automatically.':
    'Legt einen Kunden mit Erstattungsadressen an, über die Zahlungen mit hohem Risiko automatisch erstattet werden.',
  'Your reference for the customer.':
    'Ihre Referenz für den Kunden.',
  'Addresses':
    'Adressen',
  'List of {address, currency, network}: refund addresses, one per coin.':
    'Liste von {address, currency, network}: Erstattungsadressen, eine pro Coin.',
  'Get customer':
    'Kunden lesen',
  'Reads a customer by your id.':
    'Liest einen Kunden über Ihre ID.',
  'Update customer':
    'Kunden ändern',
  'Changes the currency or replaces the refund addresses.':
    'Ändert die Währung oder ersetzt die Erstattungsadressen.',
  'List customers':
    'Kunden auflisten',
  'Lists customers.':
    'Listet Kunden auf.',
  'Create subscription':
    'Abo anlegen',
  'Recurring invoices e-mailed to a payer. The first payment must be made before starts_at (at least 3 days ahead).':
    'Wiederkehrende Rechnungen, die einem Zahlenden per E-Mail geschickt werden. Die erste Zahlung muss vor starts_at erfolgen (mindestens 3 Tage im Voraus).',
  'Period':
    'Periode',
  'day, week, month or year':
    'day, week, month oder year',
  'Period quantity':
    'Anzahl Perioden',
  'e.g. 2 = every two periods':
    'z. B. 2 = alle zwei Perioden',
  'Starts at':
    'Beginnt am',
  'ISO 8601, at least 3 days from now.':
    'ISO 8601, mindestens 3 Tage in der Zukunft.',
  'Payer name':
    'Name des Zahlenden',
  'Your reference; a retried create returns the subscription already made.':
    'Ihre Referenz; ein wiederholtes Anlegen gibt das bereits angelegte Abo zurück.',
  'Product name':
    'Produktname',
  'Product description':
    'Produkt\u00adbeschreibung',
  'Get subscription':
    'Abo lesen',
  'Reads a subscription by id or custom_id.':
    'Liest ein Abo über die ID oder die custom_id.',
  'From msg.payload.subscription_id, or msg.payload.id when the payload is the subscription itself.':
    'Aus msg.payload.subscription_id, oder aus msg.payload.id, wenn die Payload selbst das Abo ist.',
  'List subscriptions':
    'Abos auflisten',
  'Lists subscriptions newest first.':
    'Listet Abos auf, die neuesten zuerst.',
  'Cancel subscription':
    'Abo kündigen',
  'Cancels a subscription; no further invoices are sent.':
    'Kündigt ein Abo; es werden keine weiteren Rechnungen geschickt.',
  'Create exchange transfer':
    'Umtausch anlegen',
  'Converts between your balances. Give charged_amount or received_amount. Without force commit, follow with "commit" within 30 s. custom_id is always sent (generated when empty) so a retry cannot convert twice.':
    'Tauscht zwischen Ihren Guthaben um. Geben Sie charged_amount oder received_amount an. Ohne „Sofort bestätigen“ muss innerhalb von 30 s „Umtausch bestätigen“ folgen. Die custom_id wird immer gesendet (erzeugt, wenn leer), sodass eine Wiederholung nicht doppelt umtauschen kann.',
  'Generated when empty and written back to msg.payload.custom_id (or msg.idempotencyKey).':
    'Wird erzeugt, wenn leer, und nach msg.payload.custom_id (oder msg.idempotencyKey) zurückgeschrieben.',
  'Commit exchange transfer':
    'Umtausch bestätigen',
  'Commits a two-step exchange transfer within 30 s of its creation.':
    'Bestätigt einen zweistufigen Umtausch innerhalb von 30 s nach dem Anlegen.',
  'Exchange transfer id':
    'Umtausch-ID',
  'From msg.payload.exchange_transfer_id, or msg.payload.id when the payload is the exchange transfer itself.':
    'Aus msg.payload.exchange_transfer_id, oder aus msg.payload.id, wenn die Payload selbst der Umtausch ist.',
  'Get exchange transfer':
    'Umtausch lesen',
  'Reads one exchange transfer.':
    'Liest einen Umtausch.',
};
