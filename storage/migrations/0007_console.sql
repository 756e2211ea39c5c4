-- Reserved for issue 8; replaced by its schema when that feature lands.
SELECT 1;
