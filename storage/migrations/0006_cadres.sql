-- Reserved for issue 7; replaced by its schema when that feature lands.
SELECT 1;
