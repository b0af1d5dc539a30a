-- Feature format 4: the 79 features of format 3 in the same order, then merchant_fraud_rate_1d_delayed,
-- merchant_fraud_rate_7d_delayed and merchant_fraud_rate_30d_delayed (the merchant's share of FRAUD-labelled
-- transactions over the 1, 7 and 30 UTC days that end 7 days before the transaction's day: docs/features.md).
-- Decisions written from this version on use it; rows of formats 1 to 3 keep theirs.
-- Kinds as in format 1: n = integer, d = exact decimal as written, b = t or f.
INSERT INTO audit_feature_format VALUES (4,
    ARRAY['tx_count_1m', 'tx_count_1h', 'tx_count_24h', 'tx_count_7d', 'tx_sum_1m',
          'tx_sum_1h', 'tx_sum_24h', 'tx_sum_7d', 'account_age_days', 'balance_deposit_count_7d',
          'balance_deposit_sum_7d', 'deposit_to_net_worth_ratio', 'new_merchant', 'new_device', 'seconds_since_previous',
          'tx_count_5m', 'tx_count_15m', 'tx_count_30d', 'tx_sum_5m', 'tx_sum_15m',
          'tx_sum_30d', 'first_transaction', 'days_dormant', 'amount_zscore_30d', 'amount_to_median_ratio_30d',
          'round_amount', 'new_ip', 'new_country', 'distance_from_previous_km', 'implied_speed_kmh',
          'country_changed_1h', 'distance_from_usual_km', 'hour_of_day_utc', 'hour_of_day_share_30d', 'night_utc',
          'weekend_utc', 'new_account_deposit_count_7d', 'structuring_count_24h', 'structuring_count_7d', 'structuring_sum_24h',
          'structuring_sum_7d', 'fan_in_24h', 'fan_out_24h', 'rapid_in_out_ratio_3d', 'customer_tx_count_1h',
          'customer_tx_count_24h', 'customer_tx_count_7d', 'customer_tx_sum_1h', 'customer_tx_sum_24h', 'customer_tx_sum_7d',
          'device_tx_count_1h', 'device_tx_count_24h', 'device_tx_sum_1h', 'device_tx_sum_24h', 'ip_tx_count_1h',
          'ip_tx_count_24h', 'ip_tx_sum_1h', 'ip_tx_sum_24h', 'merchant_tx_count_1m', 'merchant_tx_count_1h',
          'merchant_tx_count_24h', 'merchant_tx_sum_1m', 'merchant_tx_sum_1h', 'merchant_tx_sum_24h', 'account_blacklisted',
          'account_whitelisted', 'customer_blacklisted', 'customer_whitelisted', 'device_blacklisted', 'device_whitelisted',
          'ip_blacklisted', 'ip_whitelisted', 'merchant_blacklisted', 'merchant_whitelisted', 'merchant_risk_class',
          'merchant_fraud_rate_1d', 'merchant_fraud_rate_7d', 'merchant_fraud_rate_30d', 'distinct_merchants_5m',
          'merchant_fraud_rate_1d_delayed', 'merchant_fraud_rate_7d_delayed', 'merchant_fraud_rate_30d_delayed'],
    ARRAY['n', 'n', 'n', 'n', 'd', 'd', 'd', 'd', 'n', 'n', 'd', 'd', 'b', 'b', 'n', 'n', 'n', 'n', 'd', 'd',
          'd', 'b', 'n', 'd', 'd', 'b', 'b', 'b', 'd', 'd', 'b', 'd', 'n', 'd', 'b', 'b', 'n', 'n', 'n', 'd',
          'd', 'n', 'n', 'd', 'n', 'n', 'n', 'd', 'd', 'd', 'n', 'n', 'd', 'd', 'n', 'n', 'd', 'd', 'n', 'n',
          'n', 'd', 'd', 'd', 'b', 'b', 'b', 'b', 'b', 'b', 'b', 'b', 'b', 'b', 'n', 'd', 'd', 'd', 'n', 'd', 'd', 'd']);
