import type { Ratio } from '../../core/types';

/** Runway pixel ratios as classic aspect strings (providers.md §0), for APIs that take `aspect_ratio`. */
export const CLASSIC_ASPECT: Record<Ratio, string> = {
	'1280:720': '16:9',
	'720:1280': '9:16',
	'960:960': '1:1',
	'1104:832': '4:3',
	'832:1104': '3:4',
	'1584:672': '21:9',
};
