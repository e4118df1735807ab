-- What a council does as its voting window closes: when to remind members who have not
-- voted, and whether expiry cancels or hands the decision to another council. JSON.
ALTER TABLE councils ADD COLUMN policy TEXT NOT NULL DEFAULT '{}';
