-- STAND-IN placeholder so that 0020 has no gap; the real one comes from its branch.
SELECT 1;
