# Vigil's business rule language, used by the rules in rules/dsl/*.dslr.
#
# Left of '=' is the sentence an analyst writes; right of it, the Drools condition it stands for.
# {name} is a value the analyst fills in. Amounts are written without thousands separators
# (9000, 9999.99) and are compared exactly (the B suffix makes them BigDecimal, never double).
# A sentence that does not match any line here is left as is, and the rule base then fails to
# load with the .dslr file and line named: a typo never silently drops a condition.
#
# Values a sentence makes available to the reason ("because ...") are listed after it, as $name.

# --- The transaction --------------------------------------------------------------------------
[when][]the transaction is a cash deposit=dev.vigil.event.TransactionEvent( type == dev.vigil.event.TransactionType.CASH_DEPOSIT )
[when][]the transaction is a balance deposit=dev.vigil.event.TransactionEvent( type == dev.vigil.event.TransactionType.BALANCE_DEPOSIT )
[when][]the transaction is a cash withdrawal=dev.vigil.event.TransactionEvent( type == dev.vigil.event.TransactionType.CASH_WITHDRAWAL )
[when][]the transaction is a transfer in=dev.vigil.event.TransactionEvent( type == dev.vigil.event.TransactionType.TRANSFER_IN )
[when][]the transaction is a transfer out=dev.vigil.event.TransactionEvent( type == dev.vigil.event.TransactionType.TRANSFER_OUT )
# $amount, $currency; both ends included
[when][]the amount is between {low:[0-9.]+} and {high:[0-9.]+} {currency:[A-Z]{3}}=dev.vigil.event.TransactionEvent( currencyCode == "{currency}", amount >= {low}B, amount <= {high}B, $amount : amount, $currency : currencyCode )
# $amount, $currency; strictly more than the limit
[when][]the amount is over {limit:[0-9.]+} {currency:[A-Z]{3}}=dev.vigil.event.TransactionEvent( currencyCode == "{currency}", amount > {limit}B, $amount : amount, $currency : currencyCode )

# --- The account's history (features) ----------------------------------------------------------
# $accountAgeDays; an account whose opening Vigil has not seen is not young
[when][]the account is younger than {days:[0-9]+} days=dev.vigil.feature.Features( accountAgeDays >= 0, accountAgeDays < {days}, $accountAgeDays : accountAgeDays )
# $txCount1m
[when][]there were more than {n:[0-9]+} transactions in the last minute=dev.vigil.feature.Features( txCount1m > {n}, $txCount1m : txCount1m )
# $txCount1h; 60 minutes is the hour window (listed before the general sentence below, so it wins)
[when][]there were more than {n:[0-9]+} transactions in the last 60 minutes=dev.vigil.feature.Features( txCount1h > {n}, $txCount : txCount1h )
# $txCount; the window must be one the features keep: 1, 5 or 15 (txCount1m, txCount5m, txCount15m).
# Another number fails the load naming the file and line.
[when][]there were more than {n:[0-9]+} transactions in the last {minutes:[0-9]+} minutes=dev.vigil.feature.Features( txCount{minutes}m > {n}, $txCount : txCount{minutes}m )
# $txCount1h
[when][]there were more than {n:[0-9]+} transactions in the last hour=dev.vigil.feature.Features( txCount1h > {n}, $txCount1h : txCount1h )
# $txCount24h
[when][]there were more than {n:[0-9]+} transactions in the last 24 hours=dev.vigil.feature.Features( txCount24h > {n}, $txCount24h : txCount24h )

# $txCount7d, $txCount30d
[when][]there were more than {n:[0-9]+} transactions in the last 7 days=dev.vigil.feature.Features( txCount7d > {n}, $txCount7d : txCount7d )
[when][]there were more than {n:[0-9]+} transactions in the last 30 days=dev.vigil.feature.Features( txCount30d > {n}, $txCount30d : txCount30d )

# --- The customer's, device's, IP's and merchant's history (features, over every account) ----------
# $entityTxCount; {entity} is customer, device, ip or merchant; this transaction included. An event without
# the device, IP or merchant has 0 of it. The same windows as the account's: minutes 1, 5, 15 or 60
# (60 is the hour), the hour, 24 hours, 7 or 30 days; another number fails the load naming the file and line.
[when][]the {entity:customer|device|ip|merchant} had more than {n:[0-9]+} transactions in the last 60 minutes=dev.vigil.feature.Features( {entity}TxCount1h > {n}, $entityTxCount : {entity}TxCount1h )
[when][]the {entity:customer|device|ip|merchant} had more than {n:[0-9]+} transactions in the last {minutes:[0-9]+} minutes=dev.vigil.feature.Features( {entity}TxCount{minutes}m > {n}, $entityTxCount : {entity}TxCount{minutes}m )
[when][]the {entity:customer|device|ip|merchant} had more than {n:[0-9]+} transactions in the last hour=dev.vigil.feature.Features( {entity}TxCount1h > {n}, $entityTxCount : {entity}TxCount1h )
[when][]the {entity:customer|device|ip|merchant} had more than {n:[0-9]+} transactions in the last 24 hours=dev.vigil.feature.Features( {entity}TxCount24h > {n}, $entityTxCount : {entity}TxCount24h )
[when][]the {entity:customer|device|ip|merchant} had more than {n:[0-9]+} transactions in the last {days:[0-9]+} days=dev.vigil.feature.Features( {entity}TxCount{days}d > {n}, $entityTxCount : {entity}TxCount{days}d )

# $unusualAmounts; the account's earlier transactions of the last 7 days, in the transaction's currency, at about
# 3.4 times its 30-day median amount or more (a misused card shows unusual amounts over days); this one not included
[when][]the account had at least {n:[0-9]+} unusual amounts in the last 7 days=dev.vigil.feature.Features( amountOutliers7d >= {n}, $unusualAmounts : amountOutliers7d )
# $merchantConfirmedFrauds; the merchant's transactions of the 24 hours that ended exactly 7 days ago (the latest day
# whose fraud reports are all in, with a 7-day label delay) confirmed as fraud by now
[when][]the merchant had at least {n:[0-9]+} confirmed frauds in the day that ended 7 days ago=dev.vigil.feature.Features( merchantFraudCount24hDelayed >= {n}, $merchantConfirmedFrauds : merchantFraudCount24hDelayed )

# $dormantDays (whole days); the account's previous transaction was at least this long before this one
# (a first transaction, -1, is not "dormant": opening then paying is ordinary)
[when][]the account had no transaction for at least {days:[0-9]+} days=dev.vigil.feature.Features( secondsSincePrevious >= {days}L * 86400L, $dormantDays : (secondsSincePrevious / 86400L) )

# --- Where the transaction happened -----------------------------------------------------------
# $country; ISO 3166-1 alpha-2 codes, comma-separated. A transaction without a location is in no country.
[when][]the transaction is located in one of {countries:[A-Za-z, ]+}=dev.vigil.event.TransactionEvent( geo != null, dev.vigil.rules.RuleLists.oneOf(geo.country, "{countries}"), $country : geo.country )
# $channel; the rail's channel, e.g. ECOM, MOBILE, POS, ATM, BRANCH
[when][]the channel is {channel:[A-Za-z_]+}=dev.vigil.event.TransactionEvent( channel == "{channel}", $channel : channel )

# --- The customer (account events) -------------------------------------------------------------
[when][]the customer's risk rating is {level:LOW|MEDIUM|HIGH}=dev.vigil.feature.AccountProfile( kycRiskLevel == dev.vigil.event.KycRiskLevel.{level} )

# --- Needs the features of issue 3 ---------------------------------------------------------------
# These sentences name features the feature engine is getting (see rules/pending/README.md). A rule
# that uses one before the feature exists fails the load, naming the file and line.
# $structuringCount; cash deposits from 9000 to 9999.99, this one included
[when][]there were at least {n:[0-9]+} cash deposits just under the reporting threshold in the last 24 hours=dev.vigil.feature.Features( structuringCount24h >= {n}, $structuringCount : structuringCount24h )
[when][]there were at least {n:[0-9]+} cash deposits just under the reporting threshold in the last 7 days=dev.vigil.feature.Features( structuringCount7d >= {n}, $structuringCount : structuringCount7d )
# $rapidInOutShare; a share from 0 to 1 (0.80 means 80 %)
[when][]at least {share:[0-9.]+} of the money received in the last 3 days has already gone out=dev.vigil.feature.Features( rapidInOutRatio3d >= {share}B, $rapidInOutShare : rapidInOutRatio3d )
# $fanIn; distinct counterparties sending money to the account
[when][]money came in from at least {n:[0-9]+} different senders in the last 24 hours=dev.vigil.feature.Features( fanIn24h >= {n}, $fanIn : fanIn24h )
# $fanOut; distinct counterparties the account paid
[when][]money went out to at least {n:[0-9]+} different payees in the last 24 hours=dev.vigil.feature.Features( fanOut24h >= {n}, $fanOut : fanOut24h )

# --- What to do --------------------------------------------------------------------------------
# The rule id comes from the rule's name. In the reason, $name is replaced by the value named in
# the comments above, and $tx-style names need a binding; plain text stays as written.
[then][]raise {verdict:ALLOW|REVIEW|BLOCK} because "{reason}"=dev.vigil.rules.RuleActions.raise(drools, dev.vigil.decision.Verdict.{verdict}, "{reason}");
