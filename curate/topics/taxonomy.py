"""The fixed topic taxonomy: 22 content domains of the kind the C4 and web-corpus audits use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    description: str


TOPICS: tuple[Topic, ...] = (
    Topic("adult", "sexual content, pornography, escort and dating-for-sex pages"),
    Topic("arts_entertainment", "film, television, music, celebrities, visual and performing arts"),
    Topic("autos_vehicles", "cars, motorcycles, trucks, their parts, repair and sale"),
    Topic("books_literature", "books, authors, novels, poetry, publishing and reading"),
    Topic("business_finance", "companies, markets, banking, investing, insurance, the economy"),
    Topic("computers_internet", "software, hardware, programming, the web and online services"),
    Topic("education", "schools, universities, courses, teaching, students and exams"),
    Topic("food_drink", "recipes, cooking, restaurants, wine, beer and other drinks"),
    Topic("games", "video games, board and card games, gambling and casinos"),
    Topic("health_medicine", "diseases, treatments, doctors, hospitals, fitness and nutrition"),
    Topic("hobbies_leisure", "crafts, photography, collecting, outdoor pastimes, pets"),
    Topic("home_garden", "houses, furniture, decoration, DIY, gardening and plants"),
    Topic("jobs_careers", "job offers, hiring, resumes, salaries and careers"),
    Topic("law_government", "laws, courts, lawyers, public administration, the military"),
    Topic("news_politics", "current affairs, elections, parties, politicians and diplomacy"),
    Topic("people_society", "family, relationships, communities, social issues, people's lives"),
    Topic("real_estate", "buying, selling and renting property: homes, flats and land"),
    Topic("religion", "faiths, churches, scripture, worship, spirituality"),
    Topic("science_technology", "natural sciences, research, engineering, space, the environment"),
    Topic("shopping", "online shops, products, prices, discounts, orders and delivery"),
    Topic("sports", "sport, teams, athletes, matches, leagues and championships"),
    Topic("travel", "tourism, hotels, flights, destinations, holidays and maps"),
)
TOPIC_NAMES: tuple[str, ...] = tuple(topic.name for topic in TOPICS)
