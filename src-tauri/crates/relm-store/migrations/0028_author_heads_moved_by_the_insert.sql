-- An event's insert moves its author's head itself (`events::insert`). A trigger did it: a
-- statement that fires a trigger keeps a journal of its pages to undo it alone, which cost as
-- much as the rest of recording the event.
DROP TRIGGER events_move_author_heads;
