-- Reserved for issue 6; replaced by its schema when that feature lands.
SELECT 1;
