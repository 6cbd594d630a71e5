-- How the card was read (issue 18): card_present at a store's till (retail's sales), card_not_present
-- online (orders' checkout). Every payment taken before was an online one.
ALTER TABLE payments
  ADD COLUMN entry_mode text NOT NULL DEFAULT 'card_not_present'
  CHECK (entry_mode IN ('card_present', 'card_not_present'));
