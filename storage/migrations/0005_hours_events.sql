-- Reserved for issue 5; replaced by its schema when that feature lands.
SELECT 1;
