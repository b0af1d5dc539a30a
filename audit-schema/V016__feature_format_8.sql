-- Feature format 8: format 7's 123 features in the same order, then merchant_fraud_streak_age_delayed
-- (whole UTC days from the oldest day of the merchant's known-fraud streak, merchant_fraud_streak_delayed,
-- to the transaction's day; -1 without a streak), merchant_fraud_count_24h_delayed (the merchant's
-- transactions of the 24 hours ending exactly 7 days before the transaction with a FRAUD label known by
-- then), amount_outliers_7d (the account's earlier amounts of 7 days at least 7 amount bins, about 3.4
-- times, above its 30-day median) and max_amount_to_median_ratio_7d (the largest of them to that median):
-- docs/features.md. Account facts and SHAP contributions are stored as format 5 stores them (JSON arrays,
-- V012): the functions of V012 and V014 test format >= 5. Decisions written from this version on use it;
-- rows of formats 1 to 7 keep theirs. Kinds as in format 1: n = integer, d = exact decimal as written,
-- b = t or f.
INSERT INTO audit_feature_format
SELECT 8,
       names || ARRAY['merchant_fraud_streak_age_delayed', 'merchant_fraud_count_24h_delayed', 'amount_outliers_7d',
                      'max_amount_to_median_ratio_7d'],
       kinds || ARRAY['n', 'n', 'n', 'd']
  FROM audit_feature_format WHERE format = 7;
