-- Feature format 6: format 5's 82 features in the same order, then merchant_fraud_streak_delayed (the
-- merchant's transactions, newest UTC days of the delayed 30-day window first, of the days whose
-- transactions all have a known FRAUD label, up to the first day that has one without: docs/features.md).
-- Account facts and SHAP contributions are stored as format 5 stores them (JSON arrays, V012): the
-- functions of V012 test format >= 5. Decisions written from this version on use it; rows of formats
-- 1 to 5 keep theirs. Kinds as in format 1: n = integer, d = exact decimal as written, b = t or f.
INSERT INTO audit_feature_format
SELECT 6, names || ARRAY['merchant_fraud_streak_delayed'], kinds || ARRAY['n'] FROM audit_feature_format WHERE format = 5;
