-- A password attempt is now written before the password is checked (a reservation, taken under
-- advisory locks on the account and the address, so that parallel attempts cannot overrun the
-- limits) and kept when the password is wrong. The current-password check of PATCH /me writes one
-- too, for the account only: no client address.
ALTER TABLE login_failures ALTER COLUMN ip DROP NOT NULL;
