-- Reserved for issue 4; replaced by its schema when that feature lands.
SELECT 1;
