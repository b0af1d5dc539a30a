-- Feature format 7: format 6's 83 features in the same order, then the rest of the velocity catalogue
-- for the other entities (docs/features.md, features 84 to 123): for the customer, device, IP and
-- merchant, the count and sum of every window of 1, 5, 15 and 60 minutes, 24 hours, 7 and 30 days that
-- format 6 lacked, and the whole seconds since the entity's previous transaction. Account facts and
-- SHAP contributions are stored as format 5 stores them (JSON arrays, V012): the functions of V012
-- and V014 test format >= 5. Decisions written from this version on use it; rows of formats 1 to 6
-- keep theirs. Kinds as in format 1: n = integer, d = exact decimal as written, b = t or f.
INSERT INTO audit_feature_format
SELECT 7,
       names || ARRAY['customer_tx_count_1m', 'customer_tx_count_5m', 'customer_tx_count_15m', 'customer_tx_count_30d',
                      'customer_tx_sum_1m', 'customer_tx_sum_5m', 'customer_tx_sum_15m', 'customer_tx_sum_30d',
                      'customer_seconds_since_previous',
                      'device_tx_count_1m', 'device_tx_count_5m', 'device_tx_count_15m', 'device_tx_count_7d',
                      'device_tx_count_30d', 'device_tx_sum_1m', 'device_tx_sum_5m', 'device_tx_sum_15m',
                      'device_tx_sum_7d', 'device_tx_sum_30d', 'device_seconds_since_previous',
                      'ip_tx_count_1m', 'ip_tx_count_5m', 'ip_tx_count_15m', 'ip_tx_count_7d', 'ip_tx_count_30d',
                      'ip_tx_sum_1m', 'ip_tx_sum_5m', 'ip_tx_sum_15m', 'ip_tx_sum_7d', 'ip_tx_sum_30d',
                      'ip_seconds_since_previous',
                      'merchant_tx_count_5m', 'merchant_tx_count_15m', 'merchant_tx_count_7d', 'merchant_tx_count_30d',
                      'merchant_tx_sum_5m', 'merchant_tx_sum_15m', 'merchant_tx_sum_7d', 'merchant_tx_sum_30d',
                      'merchant_seconds_since_previous'],
       kinds || ARRAY['n', 'n', 'n', 'n', 'd', 'd', 'd', 'd', 'n',
                      'n', 'n', 'n', 'n', 'n', 'd', 'd', 'd', 'd', 'd', 'n',
                      'n', 'n', 'n', 'n', 'n', 'd', 'd', 'd', 'd', 'd', 'n',
                      'n', 'n', 'n', 'n', 'd', 'd', 'd', 'd', 'n']
  FROM audit_feature_format WHERE format = 6;
