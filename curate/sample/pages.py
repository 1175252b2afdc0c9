"""Pages of the demo crawl: written by the curate team for this sample, in several languages.

Each page is (url, lang, title, paragraphs). Boilerplate (menus, cookie banners, footers) is added
by the crawl builder so that main-content extraction has something to remove.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    url: str
    lang: str
    title: str
    paragraphs: tuple[str, ...]


RIVER_ARTICLE = (
    "The river that runs through the old town has shaped its life for more than eight centuries. "
    "Mills once lined both banks, and the names of the streets still remember the millers, the "
    "tanners and the dyers who worked there. When the last mill closed in 1962, the town council "
    "decided to keep the buildings instead of tearing them down.",
    "Today the largest of the mills is a public library with a reading room that looks straight "
    "onto the water. Volunteers run guided walks every Saturday morning, and they explain how the "
    "weirs were built, why the river flooded so often in spring, and how the townspeople learned to "
    "live with it. The walk takes about two hours and ends at the covered market.",
    "Local historians are now collecting letters, photographs and account books from families whose "
    "ancestors worked in the mills. They hope to publish a small book next year. Anyone who has "
    "material to share can bring it to the library on the first Monday of each month, when a "
    "member of the history society is there to scan it and return it the same day.",
)

BREAD_ARTICLE = (
    "Baking bread at home is easier than most people think. You need flour, water, salt and yeast, "
    "a bowl, and some patience. Mix the flour and the water first and let them rest for half an "
    "hour; this gives the flour time to absorb the water and makes the dough easier to knead.",
    "Add the salt and the yeast, then knead the dough for about ten minutes until it feels smooth "
    "and springs back when you press it with a finger. Cover the bowl and leave it in a warm place "
    "until the dough has doubled in size. In a cool kitchen this can take two or three hours.",
    "Shape the loaf gently so that you do not press out all of the gas, put it on a floured tray "
    "and let it rise again. Bake it in a very hot oven for forty minutes. The bread is done when it "
    "sounds hollow as you knock on the bottom. Let it cool before you cut it, even if that is hard.",
)

PAGES: tuple[Page, ...] = (
    Page("https://www.riverside-history.org/mills/", "en", "The mills of the old town", RIVER_ARTICLE),
    Page("https://kitchen-notes.example.com/bread/basic-loaf", "en", "A basic loaf", BREAD_ARTICLE),
    Page(
        "https://astro-club.example.net/observing/2024/autumn-sky",
        "en",
        "What to look for in the autumn sky",
        (
            "Autumn evenings are a good time to start observing, because it gets dark early and "
            "the air is often clear after a cold front has passed. The great square of Pegasus "
            "rises in the east after sunset, and from its corner a chain of stars leads to the "
            "Andromeda galaxy, which you can see with the naked eye from a dark site.",
            "Binoculars are the best first instrument. They are cheap, easy to carry and show a "
            "wide field, which makes it simple to find your way. Rest your elbows on a wall or a "
            "car roof to keep the view steady, and give your eyes at least twenty minutes to adapt "
            "to the dark before you look for faint objects.",
            "Our club meets on the second Friday of every month at the football ground outside the "
            "village. Members bring telescopes and are happy to show newcomers how to use them. If "
            "the sky is cloudy we meet in the clubhouse instead and talk about equipment, maps and "
            "the photographs that members have taken during the month.",
        ),
    ),
    Page(
        "https://cycling-commute.example.org/blog/first-winter",
        "en",
        "My first winter of cycling to work",
        (
            "Last October I decided to keep cycling to work through the winter instead of taking "
            "the bus. Friends told me I would give up by December. I did not, and I learned a few "
            "things that I wish someone had told me at the start.",
            "Lights matter more than anything else. I use a bright front light, two rear lights and "
            "reflective bands on my ankles, because drivers notice movement. Mudguards keep you dry "
            "from below, and a cheap rain cape is better than an expensive jacket on a short ride.",
            "The hardest part is not the cold but the first five minutes of leaving the warm house. "
            "Once I am moving I warm up quickly, and most mornings I arrive in a better mood than "
            "when I took the bus. On icy days I walk, and nobody has ever complained about that.",
        ),
    ),
    Page(
        "https://www.wanderfreunde.example.de/touren/schwarzwald",
        "de",
        "Eine Wanderung im Schwarzwald",
        (
            "Der Weg beginnt am Bahnhof des kleinen Ortes und führt zuerst durch Wiesen und Obstgärten "
            "bergauf. Nach einer knappen Stunde erreicht man den Waldrand, wo eine Bank mit schöner "
            "Aussicht auf das Tal zur ersten Pause einlädt.",
            "Im Wald ist der Weg gut markiert und meist breit genug, um nebeneinander zu gehen. An "
            "mehreren Stellen erklären Tafeln, wie die Köhler früher Holzkohle hergestellt haben und "
            "warum der Wald heute wieder mit Buchen und Tannen statt nur mit Fichten bepflanzt wird.",
            "Die Hütte auf dem Gipfel ist am Wochenende bewirtschaftet und bietet einfache Gerichte "
            "aus der Region an. Für den Rückweg kann man entweder denselben Weg nehmen oder über den "
            "Nachbarort absteigen, von wo stündlich ein Bus zurück zum Bahnhof fährt.",
        ),
    ),
    Page(
        "https://www.jardin-partage.example.fr/conseils/compost",
        "fr",
        "Réussir son compost au jardin",
        (
            "Le compost transforme les déchets de cuisine et du jardin en un engrais naturel et "
            "gratuit. Pour bien démarrer, il suffit de choisir un coin à mi-ombre, directement sur la "
            "terre, afin que les vers et les micro-organismes puissent monter dans le tas.",
            "Le secret est d'alterner les matières humides, comme les épluchures et la tonte du gazon, "
            "avec des matières sèches, comme les feuilles mortes, la paille ou le carton brun. Un "
            "compost trop humide sent mauvais, un compost trop sec ne se décompose presque pas.",
            "Il faut aérer le tas une fois par mois avec une fourche. Au bout de neuf à douze mois, "
            "le compost est mûr : il est sombre, friable et sent la terre de forêt. On peut alors "
            "l'étaler au pied des arbres fruitiers ou le mélanger au terreau des jardinières.",
        ),
    ),
    Page(
        "https://www.recetas-caseras.example.es/postres/flan",
        "es",
        "Flan de huevo como el de la abuela",
        (
            "El flan de huevo es uno de los postres más sencillos de la cocina tradicional. Solo se "
            "necesitan huevos, leche, azúcar y un poco de piel de limón, ingredientes que casi "
            "siempre tenemos en casa.",
            "Primero se prepara el caramelo: se calienta el azúcar en un cazo sin dejar de mover "
            "hasta que tome un color dorado, y se reparte enseguida en el fondo de los moldes. "
            "Mientras se enfría, se calienta la leche con el limón y se deja reposar unos minutos.",
            "Después se baten los huevos con el resto del azúcar, se añade la leche colada y se llenan "
            "los moldes. Se cuecen al baño maría en el horno durante unos cuarenta minutos. Conviene "
            "dejarlos enfriar en la nevera al menos cuatro horas antes de desmoldarlos.",
        ),
    ),
    Page(
        "https://fotoklub.example.ru/stati/nochnaya-semka",
        "ru",
        "Как снимать город ночью",
        (
            "Ночная съёмка города кажется сложной, но на самом деле для неё нужно совсем немного: "
            "камера, которая позволяет выставить выдержку вручную, и устойчивый штатив. Лучшее время "
            "для съёмки наступает через двадцать минут после заката, когда небо ещё синее.",
            "Поставьте чувствительность на минимальное значение, диафрагму около восьми и подберите "
            "выдержку по гистограмме. Чтобы избежать смазанных кадров, используйте таймер или пульт, "
            "а стабилизатор на объективе лучше выключить, когда камера стоит на штативе.",
            "Не бойтесь движущихся машин: их фары превращаются в красивые световые линии. Попробуйте "
            "разные точки съёмки, например мосты и набережные, и обязательно снимайте в формате RAW, "
            "чтобы потом спокойно настроить баланс белого и вытянуть детали в тенях.",
        ),
    ),
    Page(
        "https://www.chayuan.example.cn/wenzhang/longjing",
        "zh",
        "怎样泡好一杯龙井茶",
        (
            "龙井茶是中国最有名的绿茶之一，产自杭州西湖一带。好的龙井外形扁平光滑，颜色翠绿，"
            "香气清新，喝起来有一种淡淡的豆香。泡龙井的时候，水温不宜太高，八十度左右最合适。",
            "泡茶之前，先用热水把玻璃杯烫一下，这样可以让茶叶更好地散发香气。然后放入大约三克茶叶，"
            "先倒入少量的水，让茶叶慢慢舒展开来，过半分钟再把水加到七分满。",
            "玻璃杯可以让人欣赏茶叶在水中上下浮动的样子，这也是喝龙井的乐趣之一。一杯茶可以续水两到三次，"
            "第二泡的味道往往最好。喝不完的茶叶不要长时间泡在水里，否则茶汤会变得苦涩。",
        ),
    ),
    Page(
        "https://www.tabi-nikki.example.jp/kyoto/aki",
        "ja",
        "秋の京都を歩く",
        (
            "秋の京都は一年の中でも特に美しい季節です。十一月の中旬になると、寺や神社の庭園の"
            "もみじが赤や黄色に色づき、多くの人が紅葉を見に訪れます。",
            "人混みを避けたいなら、朝早く出かけるのがおすすめです。開門と同時に入れば、静かな庭を"
            "ゆっくり眺めることができます。昼ごろには有名な場所はどこも混雑するので、その時間は"
            "小さな寺や町家のカフェで休むとよいでしょう。",
            "歩きやすい靴と、寒さに備えて一枚多めの上着を持っていくと安心です。夕方になると気温が"
            "急に下がるので、ライトアップを見る予定の人は特に暖かい服装で出かけてください。",
        ),
    ),
)

# The river article again, word for word, on a mirror site: an exact duplicate.
EXACT_DUPLICATE = Page(
    "https://mirror.history-archive.example.com/riverside/mills.html",
    "en",
    "The mills of the old town",
    RIVER_ARTICLE,
)

# The bread article with a new introduction and small edits: a near duplicate.
NEAR_DUPLICATE = Page(
    "https://recipes-daily.example.com/2024/03/simple-bread",
    "en",
    "Simple bread for beginners",
    (
        "Baking bread at home is easier than many people think. You need flour, water, salt and yeast, "
        "a bowl, and some patience. Mix the flour and the water first and let them rest for half an "
        "hour; this gives the flour time to absorb the water and makes the dough easier to knead.",
        *BREAD_ARTICLE[1:],
    ),
)

# Keyword-stuffed spam: repeated lines, no sentences.
SPAM_PAGE = Page(
    "https://best-cheap-deals.example.biz/",
    "en",
    "cheap deals best deals",
    tuple(
        ["best cheap watches buy now cheap watches online discount"] * 12
        + ["click here click here click here free shipping"] * 8
    ),
)

# An adult-spam page that the LDNOOBW list (C4's badword rule) exists to catch.
BADWORD_PAGE = Page(
    "https://hot-videos.example.xxx/free",
    "en",
    "free xxx videos",
    (
        "Free porn videos updated every day. Watch the hottest xxx clips and live sex cams without "
        "signing up. Thousands of new porn movies every week, all free, all in high quality.",
        "Join now and get unlimited access to our xxx archive. Click the banner to see more porn.",
    ),
)

# Too short to be a document worth training on.
STUB_PAGE = Page("https://newsite.example.org/", "en", "Coming soon", ("Coming soon.",))

DOCUMENT_PAGES: tuple[Page, ...] = (
    *PAGES,
    EXACT_DUPLICATE,
    NEAR_DUPLICATE,
    SPAM_PAGE,
    BADWORD_PAGE,
    STUB_PAGE,
)
