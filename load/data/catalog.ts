/** Products, prices and countries as they appear in the UCI Online Retail data set. */
export const PRODUCTS: ReadonlyArray<readonly [stockCode: string, description: string, unitPrice: number]> = [
  ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 2.55],
  ['71053', 'WHITE METAL LANTERN', 3.39],
  ['84406B', 'CREAM CUPID HEARTS COAT HANGER', 2.75],
  ['84029G', 'KNITTED UNION FLAG HOT WATER BOTTLE', 3.39],
  ['84029E', 'RED WOOLLY HOTTIE WHITE HEART.', 3.39],
  ['22752', 'SET 7 BABUSHKA NESTING BOXES', 7.65],
  ['21730', 'GLASS STAR FROSTED T-LIGHT HOLDER', 4.25],
  ['22633', 'HAND WARMER UNION JACK', 1.85],
  ['22632', 'HAND WARMER RED POLKA DOT', 1.85],
  ['84879', 'ASSORTED COLOUR BIRD ORNAMENT', 1.69],
  ['22745', "POPPY'S PLAYHOUSE BEDROOM", 2.1],
  ['22748', "POPPY'S PLAYHOUSE KITCHEN", 2.1],
  ['22749', 'FELTCRAFT PRINCESS CHARLOTTE DOLL', 3.75],
  ['22310', 'IVORY KNITTED MUG COSY', 1.65],
  ['84969', 'BOX OF 6 ASSORTED COLOUR TEASPOONS', 4.25],
  ['22623', 'BOX OF VINTAGE JIGSAW BLOCKS', 4.95],
  ['22622', 'BOX OF VINTAGE ALPHABET BLOCKS', 9.95],
  ['21754', 'HOME BUILDING BLOCK WORD', 5.95],
  ['21755', 'LOVE BUILDING BLOCK WORD', 5.95],
  ['21777', 'RECIPE BOX WITH METAL HEART', 7.95],
  ['48187', 'DOORMAT NEW ENGLAND', 7.95],
  ['22960', 'JAM MAKING SET WITH JARS', 4.25],
  ['22913', 'RED COAT RACK PARIS FASHION', 4.95],
  ['22912', 'YELLOW COAT RACK PARIS FASHION', 4.95],
  ['22914', 'BLUE COAT RACK PARIS FASHION', 4.95],
  ['21756', 'BATH BUILDING BLOCK WORD', 5.95],
  ['22728', 'ALARM CLOCK BAKELIKE PINK', 3.75],
  ['22727', 'ALARM CLOCK BAKELIKE RED', 3.75],
  ['22726', 'ALARM CLOCK BAKELIKE GREEN', 3.75],
  ['21724', 'PANDA AND BUNNIES STICKER SHEET', 0.85],
  ['22086', "PAPER CHAIN KIT 50'S CHRISTMAS", 2.95],
  ['85099B', 'JUMBO BAG RED RETROSPOT', 2.08],
  ['47566', 'PARTY BUNTING', 4.95],
  ['84077', 'WORLD WAR 2 GLIDERS ASSTD DESIGNS', 0.29],
  ['POST', 'POSTAGE', 18],
];

/** Countries weighted roughly as in the data set, where nine lines in ten come from the UK. */
export const COUNTRIES: ReadonlyArray<readonly [string, number]> = [
  ['United Kingdom', 0.9],
  ['Germany', 0.018],
  ['France', 0.016],
  ['EIRE', 0.015],
  ['Spain', 0.005],
  ['Netherlands', 0.005],
  ['Belgium', 0.004],
  ['Switzerland', 0.004],
  ['Portugal', 0.003],
  ['Australia', 0.003],
  ['Norway', 0.002],
];

/** The data set spans 01/12/2010 to 09/12/2011. */
export const FIRST_DAY = Date.UTC(2010, 11, 1);
export const LAST_DAY = Date.UTC(2011, 11, 9);
export const FIRST_INVOICE = 536365;
