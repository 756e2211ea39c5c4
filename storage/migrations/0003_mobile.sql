-- Reserved for issue 3; replaced by its schema when that feature lands.
SELECT 1;
