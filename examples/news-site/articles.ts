/** The example paper's articles: written for this example, set in the fictional city of Riverside. */
import { newsletterBox, subscribePromo } from './furniture.js';

export interface StoryArticle {
  readonly slug: string;
  readonly section: string;
  readonly headline: string;
  readonly standfirst: string;
  readonly author: string;
  readonly published: string;
  /**
   * `free` is open to all, `subscribers` only for subscribers (the article's own access, which
   * wins over the paper's rules); `metered` leaves it to the rules (`RULES` in app.ts), which
   * meter everything they do not say otherwise about.
   */
  readonly access: 'free' | 'metered' | 'subscribers';
  /** The kind of story, for the rules: `breaking` news is free on its first day. */
  readonly type?: string;
  /** Entitlements a reader needs beside a subscription (a premium tier), if any. */
  readonly requires?: readonly string[];
  readonly figure: { readonly caption: string; readonly credit: string; readonly palette: readonly [string, string, string] };
  readonly paragraphs: readonly string[];
}

export const ARTICLES: readonly StoryArticle[] = [
  {
    slug: 'tram-line-to-cross-the-river',
    section: 'City',
    headline: 'Tram line to cross the river after a decade of argument',
    standfirst: 'Councillors approve the eastern extension by 31 votes to 18; traders in the market square vow to fight on.',
    author: 'Nadia Okafor',
    published: '2026-11-23T07:00:00Z',
    access: 'metered',
    figure: {
      caption: 'How the new bridge will look from the east bank.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#1d4e89', '#f2a541', '#e8eef5'],
    },
    paragraphs: [
      'The vote on Tuesday evening ended one of the longest planning disputes in Riverside’s recent history. After a debate that ran past midnight, councillors approved the eastern extension of the tram line, which will carry passengers across the river on a new bridge for the first time.',
      'Supporters say the line will cut journey times for tens of thousands of commuters who now rely on buses that crawl across the old bridge at rush hour. “This is the biggest improvement to public transport in a generation,” said the council’s transport lead, Marion Achterberg.',
      'Opponents, led by traders from the market square, warned that two years of construction would drive shoppers away from a high street still recovering from a difficult decade. They handed in a petition with more than eleven thousand signatures asking for the route to be moved one street north.',
      'The council has promised a compensation fund for businesses along the route, though the details will not be settled until the spring. Officials said it would be modelled on the fund used for the western line, which paid out about £4.2 million to 140 businesses.',
      'The extension is expected to cost £380 million, two thirds of it from the national government. Engineers will begin surveying the riverbed in January, and the first trams could cross the river in the spring of 2030.',
      'Until then, commuters face a familiar journey: the number 12 bus, the old bridge, and the traffic. For many of those in the gallery on Tuesday, the vote was the first sign in years that the crossing might one day get easier.',
    ],
  },
  {
    slug: 'library-reopens-after-flood-repairs',
    section: 'Culture',
    headline: 'Central library reopens its doors after two years of flood repairs',
    standfirst: 'A queue formed before dawn as the restored reading room welcomed its first visitors since the 2024 floods.',
    author: 'Tomás Herrera',
    published: '2026-11-22T09:30:00Z',
    access: 'free',
    figure: {
      caption: 'The restored reading room, with its original oak shelving.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#7a4419', '#d9b26f', '#f6efe3'],
    },
    paragraphs: [
      'By seven o’clock on Saturday morning, the queue outside the central library stretched past the fountain and around the corner into Weavers Lane. When the doors opened at nine, the first visitors applauded the staff who had kept a temporary service going from a shop unit for two years.',
      'The building was closed after the river burst its banks in the winter of 2024, flooding the basement archive and damaging the ground floor. Repairs cost £6.8 million and included raising the electrical systems and moving the local history collection to the top floor.',
      'The reading room’s oak shelving, built in 1911, was dried out slowly over eight months rather than replaced. “We were told it would be cheaper to start again,” said the head librarian, Ruth Adeyemi. “We decided some things are worth the patience.”',
      'The library now opens until eight in the evening on weekdays, and a new children’s floor includes a room for homework clubs. Membership is free for everyone who lives, works or studies in Riverside.',
    ],
  },
  {
    slug: 'council-budget-gap',
    section: 'Politics',
    headline: 'Council faces £23m gap as social care costs climb',
    standfirst: 'Leaders warn of cuts to street lighting and grass cutting while protecting libraries and bus passes.',
    author: 'Priya Raman',
    published: '2026-11-21T16:00:00Z',
    access: 'metered',
    figure: {
      caption: 'Riverside town hall, where the budget will be set in February.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#3c3c3c', '#c94c4c', '#f1ecea'],
    },
    paragraphs: [
      'Riverside council will have to find £23 million in savings next year, its finance director has warned, as the cost of caring for older and disabled residents continues to rise faster than its income.',
      'Spending on adult social care has grown by a third in four years and now takes up more than half of the council’s day-to-day budget. The number of residents aged over 85 is expected to double by 2040.',
      'Draft proposals include switching off a third of street lights after midnight, cutting verges less often and closing two of the city’s five recycling centres on weekdays. Libraries, youth clubs and concessionary bus passes would be protected.',
      'Opposition councillors accused the ruling group of balancing the books on the backs of the poorest neighbourhoods, where most of the affected street lights are. The council said the lighting plan would be reviewed street by street.',
      'A public consultation opens on Monday and runs for six weeks. The final budget will be set at a full council meeting in February.',
    ],
  },
  {
    slug: 'heatwave-hospital-admissions',
    section: 'Health',
    headline: 'Summer heat sent record numbers to Riverside hospitals, report finds',
    standfirst:
      'Admissions for heat-related illness tripled during the July heatwave, with older residents in top-floor flats most at risk.',
    author: 'Dr Elif Şahin',
    published: '2026-11-20T08:15:00Z',
    access: 'metered',
    figure: {
      caption: 'Temperatures in the city centre passed 38C on three days in July.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#b23a48', '#fcb9b2', '#fff5ec'],
    },
    paragraphs: [
      'Hospitals in Riverside treated three times as many people for heat-related illness during this summer’s heatwave as in any previous year, according to a report by the city’s public health team.',
      'The report found that people over 75 living alone in top-floor flats were most at risk, and that many did not recognise the early signs of heat exhaustion. Nearly half of those admitted had been indoors when they became ill.',
      'The authors call for a register of vulnerable residents who would receive a phone call on the hottest days, and for cooling rooms in libraries and community centres to stay open into the evening.',
      'The city’s director of public health said the findings should change how Riverside plans for summer. “We prepare carefully for cold weather every year,” she said. “Heat now needs the same attention.”',
      'The council will consider the recommendations in January, alongside a plan to plant four thousand street trees over the next five years.',
    ],
  },
  {
    slug: 'riverside-united-promotion-push',
    section: 'Sport',
    headline: 'Riverside United’s young side keeps its nerve in the promotion race',
    standfirst: 'A late winner at Harbour Park lifts United to second, with the league’s youngest squad.',
    author: 'Sam Lindqvist',
    published: '2026-11-22T21:45:00Z',
    access: 'metered',
    figure: {
      caption: 'Harbour Park was sold out for the first time this season.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#2e6b3a', '#f0f0f0', '#9fd3a8'],
    },
    paragraphs: [
      'Riverside United climbed to second in the table on Saturday with a 2–1 win at Harbour Park, settled by a header from 19-year-old defender Kofi Mensah in the 88th minute.',
      'United fielded the youngest starting eleven in the division, with an average age of just over 22. Five of the side came through the club’s academy, which was nearly closed three years ago to save money.',
      'The manager, Ines Carvalho, praised her players for staying calm after conceding an equaliser early in the second half. “A year ago this team would have panicked,” she said. “Today they kept playing.”',
      'United travel to the league leaders next Saturday. Tickets for the away end sold out within an hour.',
    ],
  },
  {
    slug: 'best-new-restaurants-winter',
    section: 'Food',
    headline: 'The ten best new places to eat in Riverside this winter',
    standfirst: 'From a tiny dumpling counter under the railway arches to a seasonal kitchen in an old boathouse, our critic’s picks.',
    author: 'Léa Fontaine',
    published: '2026-11-19T12:00:00Z',
    access: 'subscribers',
    figure: {
      caption: 'Steamed dumplings at Arch Seven, under the railway viaduct.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#8c2f39', '#f5d0a9', '#fff8f0'],
    },
    paragraphs: [
      'It has been a remarkable year for eating out in Riverside. Despite rising rents and energy bills, more than thirty new restaurants, cafés and counters have opened since January, many of them run by cooks who learned their trade in the city’s markets.',
      'At the top of our list is Arch Seven, a dumpling counter with eight stools under the railway viaduct. The pork and chive dumplings are folded to order and arrive too hot to eat, which is the only complaint we have.',
      'The Boathouse, in the old rowing club on the east bank, cooks whatever the farms upstream send that morning. The menu is written on a blackboard at eleven and is often gone by two.',
      'For a special evening, book the six-course tasting menu at Marrow, where the chef, a former butcher, cooks every part of the animal with real imagination and no showing off.',
      'The rest of our list, with prices, opening hours and what to order, is below.',
    ],
  },
  {
    slug: 'flood-defences-east-bank',
    section: 'Environment',
    headline: 'New flood walls on the east bank face their first real test',
    standfirst: 'Engineers say the £41m defences held back the river during last week’s storm; residents are not yet convinced.',
    author: 'Nadia Okafor',
    published: '2026-11-18T10:20:00Z',
    access: 'metered',
    figure: {
      caption: 'The new flood wall along Quay Street during last week’s high tide.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#1b3a4b', '#6fb3d2', '#e9f4f8'],
    },
    paragraphs: [
      'The river rose to within half a metre of its 2024 peak during last week’s storm, but the new flood walls along the east bank held, according to the environment agency.',
      'The £41 million scheme, completed in September, includes a mile of concrete walls, glass panels along the riverside walk and gates that can be closed across side streets.',
      'Some residents of Quay Street, many of whom were flooded two years ago, said they had spent the night awake and watching the water. “The wall held this time,” said one. “I will believe in it after the next ten storms.”',
      'Engineers said the defences were designed for a flood expected once in a hundred years, allowing for rising rainfall. A second phase, on the west bank, is due to start next year.',
    ],
  },
  {
    slug: 'startup-turns-old-mill-into-lab',
    section: 'Business',
    headline: 'Battery start-up brings 200 jobs to the old cotton mill',
    standfirst:
      'Founded by two university researchers, Voltmill plans to recycle car batteries in a building that has stood empty for twenty years.',
    author: 'Priya Raman',
    published: '2026-11-17T07:30:00Z',
    access: 'metered',
    figure: {
      caption: 'The old cotton mill on Canal Street, empty since 2006.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#4a4e69', '#f4d35e', '#f2f2f2'],
    },
    paragraphs: [
      'A battery recycling company founded by two Riverside university researchers is to create 200 jobs in the old cotton mill on Canal Street, which has stood empty for twenty years.',
      'Voltmill has developed a process for recovering lithium, nickel and cobalt from worn-out car batteries using less energy than existing methods. It raised £30 million from investors this autumn.',
      'The company’s co-founder, Dr Hana Mwangi, said the mill’s size and its position next to the canal and the railway made it ideal. “It was built to take raw materials in and send finished goods out,” she said. “That is exactly what we do.”',
      'Work to restore the building will begin in the spring, and the first recycling line is expected to open in 2028. The company has promised that at least half of the new jobs will go to people who live within five miles of the mill.',
    ],
  },
  {
    slug: 'theatre-review-the-ferryman',
    section: 'Culture',
    headline: 'Review: a riverside ghost story that lingers long after the curtain',
    standfirst: 'The Lantern Theatre’s new play about the last ferry across the river is funny, strange and deeply moving.',
    author: 'Tomás Herrera',
    published: '2026-11-16T19:00:00Z',
    access: 'metered',
    figure: {
      caption: 'The Lantern Theatre’s stage, set as the last ferry of the night.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#2b2d42', '#ef8354', '#edf2f4'],
    },
    paragraphs: [
      'Before the bridges, a ferry carried people across the river at Riverside for six hundred years. The Lantern Theatre’s new play imagines the last night of that crossing, in 1887, and the passengers who refuse to get off.',
      'The writer, a former ferry worker’s great-granddaughter, has a gift for dialogue that turns from comedy to grief in a single line. The ferryman, played with gruff tenderness by Ade Bello, insists every passenger pays the fare, even the ones who have been dead for years.',
      'The staging is simple: a wooden deck, a lantern and the sound of water. It is all the production needs. By the final scene, when the ferry pulls away into the dark, much of the audience was in tears.',
      'The play runs until the end of January, and is one of the best things the Lantern has staged in years.',
    ],
  },
  {
    slug: 'bridge-closed-after-lorry-strike',
    section: 'City',
    type: 'breaking',
    headline: 'Old bridge closed after lorry strikes railing',
    standfirst: 'Engineers are inspecting the 1890 crossing; buses are diverted over the new bridge until further notice.',
    author: 'Nadia Okafor',
    // Breaking news: published three hours before the site started, so it is free today.
    published: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    access: 'metered',
    figure: {
      caption: 'The old bridge, closed to traffic this morning.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#7f1d1d', '#fbbf24', '#fef3c7'],
    },
    paragraphs: [
      'The old bridge was closed to all traffic this morning after a lorry struck its railing shortly after six o’clock, leaving a section of the Victorian ironwork hanging over the water.',
      'Nobody was hurt. The driver, who stopped at once, told police he had swerved to avoid a cyclist. Engineers from the council were on the bridge within the hour and said the structure itself appeared sound.',
      'Buses that normally use the crossing are being diverted over the new bridge, adding about fifteen minutes to journeys at rush hour. Pedestrians can still cross on the north footway.',
      'The council said it would not reopen the bridge to traffic until the railing had been made safe and the deck inspected, which could take several days.',
    ],
  },
  {
    slug: 'when-the-river-froze-1963',
    section: 'From the archive',
    headline: 'From 1963: the winter the river froze from bank to bank',
    standfirst: 'Skaters, a brass band and a bonfire on the ice: the Courier’s report of the great freeze, as it ran at the time.',
    author: 'Courier staff',
    // Older than ten years: the archive, which the rules keep for subscribers.
    published: '1963-01-20T08:00:00Z',
    access: 'metered',
    figure: {
      caption: 'The frozen river below the old bridge, January 1963.',
      credit: 'Illustration: Courier graphics desk',
      palette: ['#0f172a', '#93c5fd', '#f8fafc'],
    },
    paragraphs: [
      'For the first time in living memory the river froze from bank to bank this week, and half of Riverside seems to have walked out onto it.',
      'By Saturday afternoon there were skaters below the old bridge, a brass band playing near the boathouse and a bonfire, lit on a sheet of iron, around which children roasted chestnuts.',
      'The harbour master has warned that the ice is thinner near the piers and under the bridge, and that nobody should venture out after dark.',
      'Older readers remember a partial freeze in 1947, but nothing like this. “You could walk to the east bank without getting your feet wet,” said one, “which is more than you can do on the bridge most days.”',
    ],
  },
];

/** Finds an article by its exact slug. */
export function findArticle(slug: string): StoryArticle | undefined {
  return ARTICLES.find((a) => a.slug === slug);
}

/**
 * The article body as HTML, as the CMS stores it: the first paragraph, a figure, a subscribe
 * promo and a newsletter sign-up box, then the rest. The teaser (2 paragraphs) meets both boxes
 * and still keeps 2 paragraphs of the article.
 */
export function articleHtml(article: StoryArticle, esc: (s: string) => string): string {
  const [first = '', ...rest] = article.paragraphs;
  const figure =
    `<figure class="article-figure"><img src="/images/${article.slug}.svg" alt="" width="1200" height="675">` +
    `<figcaption>${esc(article.figure.caption)} <span class="credit">${esc(article.figure.credit)}</span></figcaption></figure>`;
  const boxes = subscribePromo(article.slug) + newsletterBox(article.slug);
  return `<p>${esc(first)}</p>${figure}${boxes}${rest.map((p) => `<p>${esc(p)}</p>`).join('')}`;
}
