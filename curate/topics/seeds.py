"""Seed lexicons, written for this project: for each topic and language, distinctive lower-case words
and two-word phrases (spaced scripts: whole words; zh/ja: substrings). They label text weakly for
training (labels.py); they are not the classifier."""

from __future__ import annotations

# topic -> language -> comma-separated seeds
_RAW: dict[str, dict[str, str]] = {
    "adult": {
        "en": "porn, porno, xxx, nude, nudes, naked, sex video, sex videos, escort, escorts, erotic, "
        "milf, hardcore, webcam girls, horny, sexy girls, camgirl, hentai, adult dating, strip club",
        "de": "porno, pornos, nackt, nackte, sexvideo, sexvideos, erotik, erotisch, escort, sexkontakte, "
        "geile, fick, ficken, titten, sexcam, hure, huren, bordell, swinger",
        "fr": "porno, pornos, nue, nues, vidéo sexe, sexe gratuit, érotique, escort, salope, salopes, "
        "baise, baiser, cochonne, coquine, coquines, libertin, libertine, échangiste",
        "es": "porno, desnuda, desnudas, video sexo, videos porno, erótico, erótica, escort, escorts, "
        "putas, follar, tetas, culo, sexo gratis, chicas calientes, webcam sexo",
        "it": "porno, nuda, nude, video sesso, erotico, erotica, escort, troie, troia, scopare, tette, "
        "sesso gratis, ragazze nude, incontri sesso, webcam sesso",
        "pt": "pornô, porno, nua, nuas, vídeo sexo, erótico, erótica, acompanhantes, putas, foder, "
        "peitos, sexo grátis, safada, safadas, garotas de programa",
        "nl": "porno, naakt, naakte, sexfilm, sexfilms, erotiek, erotisch, escort, geile, neuken, tieten, "
        "sexcam, hoeren, seksdate, sex contact",
        "ru": "порно, голые, голая, эротика, эротический, секс видео, проститутки, шлюхи, интим, "
        "порнуха, голых, секс знакомства, индивидуалки",
        "zh": "色情, 成人视频, 成人影片, 裸体, 性爱, 做爱, 约炮, 黄色网站, av女优, 情色, 三级片",
        "ja": "エロ, アダルト, 無修正, 巨乳, 熟女, エッチ, セックス, av女優, 人妻, 風俗, 痴漢, ヌード",
    },
    "arts_entertainment": {
        "en": "movie, movies, film, films, actor, actress, hollywood, album, singer, concert, band, "
        "songs, lyrics, tv series, episode, celebrity, box office, painting, gallery, exhibition, "
        "theatre, theater, music video, soundtrack",
        "de": "film, filme, kino, schauspieler, schauspielerin, album, sänger, sängerin, konzert, band, "
        "lieder, songtext, fernsehserie, folge, promi, ausstellung, galerie, gemälde, theater, musik",
        "fr": "film, films, cinéma, acteur, actrice, album, chanteur, chanteuse, concert, chanson, "
        "chansons, série télé, épisode, célébrité, exposition, galerie, peinture, théâtre, musique",
        "es": "película, películas, cine, actor, actriz, álbum, cantante, concierto, canción, canciones, "
        "telenovela, episodio, famosos, exposición, galería, pintura, teatro, música",
        "it": "film, cinema, attore, attrice, album, cantante, concerto, canzone, canzoni, serie tv, "
        "episodio, celebrità, mostra, galleria, pittura, teatro, musica",
        "pt": "filme, filmes, cinema, ator, atriz, álbum, cantor, cantora, show, música, músicas, "
        "novela, episódio, famosos, exposição, galeria, pintura, teatro",
        "nl": "film, films, bioscoop, acteur, actrice, album, zanger, zangeres, concert, liedje, "
        "liedjes, tv serie, aflevering, tentoonstelling, galerie, schilderij, theater, muziek",
        "ru": "фильм, фильмы, кино, актер, актриса, альбом, певец, певица, концерт, песня, песни, "
        "сериал, серия, выставка, галерея, картина, театр, музыка",
        "zh": "电影, 演员, 导演, 专辑, 歌手, 演唱会, 歌曲, 电视剧, 综艺, 明星, 票房, 展览, 画展, 音乐",
        "ja": "映画, 俳優, 女優, アルバム, 歌手, コンサート, ライブ, 楽曲, ドラマ, 芸能, アニメ, "
        "展覧会, 音楽",
    },
    "autos_vehicles": {
        "en": "car, cars, vehicle, vehicles, engine, sedan, suv, truck, trucks, motorcycle, tires, "
        "tyres, dealership, horsepower, mileage, transmission, toyota, honda, bmw, audi, ford, chevrolet",
        "de": "auto, autos, fahrzeug, fahrzeuge, motor, limousine, lkw, motorrad, reifen, autohaus, "
        "kilometerstand, getriebe, volkswagen, vw, bmw, audi, mercedes, opel, gebrauchtwagen",
        "fr": "voiture, voitures, véhicule, véhicules, moteur, berline, camion, moto, pneus, "
        "concessionnaire, chevaux, kilométrage, boîte de vitesses, renault, peugeot, citroën, occasion",
        "es": "coche, coches, carro, vehículo, vehículos, motor, camión, moto, neumáticos, llantas, "
        "concesionario, caballos, kilometraje, seat, renault, toyota, automóvil",
        "it": "auto, automobile, veicolo, veicoli, motore, berlina, camion, moto, pneumatici, "
        "concessionaria, cavalli, chilometraggio, cambio automatico, fiat, alfa romeo, lancia, ferrari",
        "pt": "carro, carros, veículo, veículos, motor, caminhão, moto, pneus, concessionária, "
        "quilometragem, câmbio, fiat, volkswagen, chevrolet, automóvel, seminovos",
        "nl": "auto, autos, voertuig, voertuigen, motor, vrachtwagen, motorfiets, banden, autodealer, "
        "kilometerstand, versnellingsbak, occasion, occasions, volkswagen, opel",
        "ru": "автомобиль, автомобили, машина, машины, двигатель, седан, грузовик, мотоцикл, шины, "
        "автосалон, пробег, коробка передач, лада, тойота, авто",
        "zh": "汽车, 车型, 轿车, 发动机, 卡车, 摩托车, 轮胎, 4s店, 马力, 油耗, 变速箱, 二手车, 丰田, 本田",
        "ja": "自動車, 車種, 新車, 中古車, エンジン, トラック, バイク, タイヤ, 馬力, 燃費, トヨタ, "
        "ホンダ, 日産",
    },
    "books_literature": {
        "en": "book, books, novel, novels, author, authors, poetry, poem, poems, fiction, publisher, "
        "chapter, paperback, hardcover, bestseller, literary, literature, reader, writer, ebook",
        "de": "buch, bücher, roman, romane, autor, autorin, gedicht, gedichte, lyrik, verlag, kapitel, "
        "taschenbuch, bestseller, literatur, literarisch, schriftsteller, leser, erzählung",
        "fr": "livre, livres, roman, romans, auteur, auteure, poésie, poème, poèmes, éditeur, éditions, "
        "chapitre, littérature, littéraire, écrivain, lecteur, lecture, recueil",
        "es": "libro, libros, novela, novelas, autor, autora, poesía, poema, poemas, editorial, capítulo, "
        "literatura, literario, escritor, escritora, lector, lectura, cuentos",
        "it": "libro, libri, romanzo, romanzi, autore, autrice, poesia, poesie, editore, casa editrice, "
        "capitolo, letteratura, letterario, scrittore, scrittrice, lettore, lettura, racconti",
        "pt": "livro, livros, romance, romances, autor, autora, poesia, poema, poemas, editora, capítulo, "
        "literatura, literário, escritor, escritora, leitor, leitura, contos",
        "nl": "boek, boeken, roman, romans, auteur, schrijver, schrijfster, gedicht, gedichten, poëzie, "
        "uitgeverij, hoofdstuk, literatuur, literair, lezer, lezen, verhalen",
        "ru": "книга, книги, роман, романы, автор, писатель, поэзия, стихи, стихотворение, издательство, "
        "глава, литература, литературный, читатель, чтение, рассказы",
        "zh": "小说, 作家, 作者, 诗歌, 诗人, 出版社, 章节, 文学, 读者, 阅读, 书籍, 散文, 图书",
        "ja": "小説, 作家, 著者, 詩人, 出版社, 文学, 読者, 読書, 書籍, 文庫, 単行本, エッセイ, 絵本",
    },
    "business_finance": {
        "en": "business, company, companies, revenue, profit, investors, investment, stock, stocks, "
        "shares, market, bank, banking, loan, loans, mortgage, insurance, finance, financial, economy, "
        "ceo, tax, credit, fund",
        "de": "unternehmen, firma, umsatz, gewinn, investoren, investition, aktie, aktien, börse, markt, "
        "bank, banken, kredit, kredite, hypothek, versicherung, finanzen, wirtschaft, steuer, fonds",
        "fr": "entreprise, entreprises, société, chiffre d'affaires, bénéfice, investisseurs, "
        "investissement, action, actions, bourse, marché, banque, crédit, prêt, assurance, finance, "
        "finances, économie, impôt",
        "es": "empresa, empresas, negocio, negocios, ingresos, beneficio, inversores, inversión, "
        "acciones, bolsa, mercado, banco, crédito, préstamo, hipoteca, seguro, seguros, finanzas, economía",
        "it": "azienda, aziende, impresa, fatturato, utile, investitori, investimento, azioni, borsa, "
        "mercato, banca, credito, prestito, mutuo, assicurazione, finanza, economia, tasse",
        "pt": "empresa, empresas, negócio, negócios, lucro, investidores, investimento, ações, "
        "bolsa, mercado, banco, crédito, empréstimo, seguro, seguros, finanças, economia, impostos",
        "nl": "bedrijf, bedrijven, onderneming, omzet, winst, investeerders, investering, aandeel, "
        "aandelen, beurs, markt, bank, krediet, lening, hypotheek, verzekering, financiën, economie, "
        "belasting",
        "ru": "бизнес, компания, компании, выручка, прибыль, инвесторы, инвестиции, акции, биржа, рынок, "
        "банк, кредит, кредиты, ипотека, страхование, финансы, экономика, налог, налоги",
        "zh": "公司, 企业, 营收, 利润, 投资, 股票, 股市, 市场, 银行, 贷款, 保险, 金融, 经济, 理财, 基金",
        "ja": "企業, 会社, 売上, 利益, 投資, 株価, 株式, 市場, 銀行, 融資, 保険, 金融, 経済, 決算, 資金",
    },
    "computers_internet": {
        "en": "software, hardware, computer, computers, laptop, windows, linux, server, database, code, "
        "programming, developer, javascript, python, browser, website, internet, app, download, email, "
        "password, wordpress, smartphone",
        "de": "software, hardware, computer, rechner, laptop, windows, linux, server, datenbank, "
        "programmierung, entwickler, browser, webseite, internet, app, herunterladen, passwort",
        "fr": "logiciel, logiciels, matériel informatique, ordinateur, ordinateurs, windows, linux, "
        "serveur, base de données, programmation, développeur, navigateur, site web, internet, "
        "application, télécharger, mot de passe, informatique",
        "es": "software, hardware, ordenador, computadora, portátil, windows, linux, servidor, "
        "base de datos, programación, desarrollador, navegador, sitio web, internet, aplicación, "
        "descargar, contraseña, informática",
        "it": "software, hardware, computer, portatile, windows, linux, server, database, "
        "programmazione, sviluppatore, browser, sito web, internet, applicazione, scaricare, "
        "password, informatica",
        "pt": "software, hardware, computador, notebook, windows, linux, servidor, banco de dados, "
        "programação, desenvolvedor, navegador, site, internet, aplicativo, baixar, senha, informática",
        "nl": "software, hardware, computer, laptop, windows, linux, server, database, programmeren, "
        "ontwikkelaar, browser, website, internet, app, downloaden, wachtwoord",
        "ru": "программа, программы, компьютер, ноутбук, windows, linux, сервер, база данных, "
        "программирование, разработчик, браузер, сайт, интернет, приложение, скачать, пароль",
        "zh": "软件, 硬件, 电脑, 计算机, 笔记本, 服务器, 数据库, 编程, 程序员, 浏览器, 网站, 互联网, "
        "下载, 密码",
        "ja": "ソフトウェア, ハードウェア, パソコン, コンピュータ, サーバー, データベース, プログラミング, "
        "ブラウザ, ウェブサイト, インターネット, アプリ, ダウンロード, パスワード",
    },
    "education": {
        "en": "school, schools, university, universities, college, students, student, teacher, teachers, "
        "course, courses, curriculum, classroom, exam, exams, degree, tuition, campus, learning, "
        "education, scholarship, homework",
        "de": "schule, schulen, universität, hochschule, studenten, studierende, schüler, lehrer, "
        "lehrerin, kurs, kurse, lehrplan, unterricht, prüfung, prüfungen, studium, bildung, stipendium",
        "fr": "école, écoles, université, universités, lycée, collège, étudiants, étudiant, élèves, "
        "enseignant, enseignants, professeur, cours, examen, examens, diplôme, éducation, formation",
        "es": "escuela, escuelas, universidad, universidades, colegio, estudiantes, alumnos, profesor, "
        "profesores, docente, curso, cursos, examen, exámenes, título, educación, beca, aprendizaje",
        "it": "scuola, scuole, università, liceo, studenti, studente, alunni, insegnante, insegnanti, "
        "docente, corso, corsi, esame, esami, laurea, istruzione, formazione, borsa di studio",
        "pt": "escola, escolas, universidade, universidades, faculdade, estudantes, alunos, professor, "
        "professores, curso, cursos, prova, provas, vestibular, diploma, educação, ensino, bolsa de estudos",
        "nl": "school, scholen, universiteit, hogeschool, studenten, leerlingen, leraar, leraren, docent, "
        "cursus, cursussen, opleiding, examen, examens, diploma, onderwijs, studie",
        "ru": "школа, школы, университет, вуз, колледж, студенты, студент, ученики, учитель, учителя, "
        "преподаватель, курс, курсы, экзамен, экзамены, диплом, образование, обучение",
        "zh": "学校, 大学, 学院, 学生, 老师, 教师, 课程, 考试, 高考, 学位, 教育, 奖学金, 教学, 培训",
        "ja": "学校, 大学, 高校, 学生, 生徒, 先生, 教師, 授業, 講座, 試験, 受験, 学位, 教育, 奨学金",
    },
    "food_drink": {
        "en": "recipe, recipes, cooking, cook, baking, bake, ingredients, tablespoon, teaspoon, oven, "
        "delicious, chocolate, restaurant, restaurants, menu, chef, cuisine, dinner, lunch, breakfast, "
        "wine, beer, coffee, flour, sauce",
        "de": "rezept, rezepte, kochen, backen, zutaten, esslöffel, teelöffel, backofen, lecker, "
        "schokolade, restaurant, speisekarte, koch, küche, abendessen, frühstück, wein, bier, kaffee, mehl",
        "fr": "recette, recettes, cuisine, cuisiner, pâtisserie, ingrédients, cuillère, four, délicieux, "
        "chocolat, restaurant, menu, chef, dîner, déjeuner, petit déjeuner, vin, bière, café, farine",
        "es": "receta, recetas, cocinar, cocina, hornear, ingredientes, cucharada, horno, delicioso, "
        "chocolate, restaurante, menú, chef, cena, almuerzo, desayuno, vino, cerveza, café, harina",
        "it": "ricetta, ricette, cucinare, cucina, ingredienti, cucchiaio, forno, delizioso, cioccolato, "
        "ristorante, menù, chef, cena, pranzo, colazione, vino, birra, caffè, farina, pasta",
        "pt": "receita, receitas, cozinhar, cozinha, ingredientes, colher, forno, delicioso, chocolate, "
        "restaurante, cardápio, chef, jantar, almoço, café da manhã, vinho, cerveja, café, farinha",
        "nl": "recept, recepten, koken, bakken, ingrediënten, eetlepel, theelepel, oven, lekker, "
        "chocolade, restaurant, menukaart, kok, diner, lunch, ontbijt, wijn, bier, koffie, bloem",
        "ru": "рецепт, рецепты, готовить, кулинария, выпечка, ингредиенты, ложка, духовка, вкусно, "
        "шоколад, ресторан, меню, повар, ужин, обед, завтрак, вино, пиво, кофе, мука",
        "zh": "食谱, 菜谱, 做法, 烹饪, 烘焙, 食材, 烤箱, 好吃, 美食, 巧克力, 餐厅, 菜单, 厨师, 晚餐, "
        "早餐, 葡萄酒, 啤酒, 咖啡",
        "ja": "レシピ, 料理, 調理, 材料, 大さじ, 小さじ, オーブン, 美味しい, おいしい, チョコレート, "
        "レストラン, メニュー, 夕食, 朝食, ワイン, ビール, コーヒー, グルメ",
    },
    "games": {
        "en": "game, games, gaming, gamer, gamers, playstation, xbox, nintendo, console, multiplayer, "
        "gameplay, rpg, level up, casino, poker, slots, betting, jackpot, board game, chess, minecraft",
        "de": "spiel, spiele, videospiel, videospiele, gamer, playstation, xbox, nintendo, konsole, "
        "mehrspieler, casino, poker, spielautomaten, wetten, jackpot, brettspiel, schach",
        "fr": "jeu vidéo, jeux vidéo, jeux, playstation, xbox, nintendo, console, multijoueur, "
        "casino, poker, machines à sous, paris sportifs, jackpot, jeu de société, échecs",
        "es": "videojuego, videojuegos, juegos, playstation, xbox, nintendo, consola, "
        "multijugador, casino, póker, tragamonedas, apuestas, jackpot, juego de mesa, ajedrez",
        "it": "videogioco, videogiochi, giochi, playstation, xbox, nintendo, console, "
        "multigiocatore, casinò, casino, poker, slot, scommesse, jackpot, gioco da tavolo, scacchi",
        "pt": "videogame, videogames, jogos, playstation, xbox, nintendo, console, "
        "multiplayer, cassino, pôquer, poker, caça níqueis, apostas, jackpot, jogo de tabuleiro, xadrez",
        "nl": "spel, spellen, videogame, games, gamers, playstation, xbox, nintendo, console, casino, "
        "poker, gokkasten, gokken, jackpot, bordspel, schaken",
        "ru": "игра, игры, видеоигры, геймеры, playstation, xbox, nintendo, приставка, мультиплеер, "
        "казино, покер, игровые автоматы, ставки, джекпот, настольная игра, шахматы",
        "zh": "游戏, 玩家, 网游, 手游, 主机, 赌场, 扑克, 老虎机, 博彩, 下注, 棋牌, 象棋",
        "ja": "ゲーム, プレイヤー, プレイステーション, ニンテンドー, 任天堂, カジノ, ポーカー, "
        "スロット, パチンコ, ボードゲーム, 将棋",
    },
    "health_medicine": {
        "en": "health, medical, doctor, doctors, patient, patients, hospital, disease, diseases, symptoms, "
        "treatment, cancer, diabetes, medicine, medication, therapy, surgery, clinic, blood pressure, "
        "infection, vaccine, nurse, diet, pain",
        "de": "gesundheit, medizinisch, arzt, ärzte, patient, patienten, krankenhaus, klinik, krankheit, "
        "krankheiten, symptome, behandlung, krebs, diabetes, medikament, medikamente, therapie, operation, "
        "blutdruck, infektion, impfung",
        "fr": "santé, médical, médecin, médecins, patient, patients, hôpital, clinique, maladie, maladies, "
        "symptômes, traitement, cancer, diabète, médicament, médicaments, thérapie, chirurgie, "
        "tension artérielle, infection, vaccin",
        "es": "salud, médico, médicos, paciente, pacientes, hospital, clínica, enfermedad, enfermedades, "
        "síntomas, tratamiento, cáncer, diabetes, medicamento, medicamentos, terapia, cirugía, "
        "presión arterial, infección, vacuna",
        "it": "salute, medico, medici, paziente, pazienti, ospedale, clinica, malattia, malattie, sintomi, "
        "trattamento, cancro, tumore, diabete, farmaco, farmaci, terapia, chirurgia, pressione arteriosa, "
        "infezione, vaccino",
        "pt": "saúde, médico, médicos, paciente, pacientes, hospital, clínica, doença, doenças, sintomas, "
        "tratamento, câncer, cancro, diabetes, medicamento, medicamentos, terapia, cirurgia, "
        "pressão arterial, infecção, vacina",
        "nl": "gezondheid, medisch, arts, artsen, dokter, patiënt, patiënten, ziekenhuis, kliniek, ziekte, "
        "ziekten, symptomen, behandeling, kanker, diabetes, medicijn, medicijnen, therapie, operatie, "
        "bloeddruk, infectie, vaccin",
        "ru": "здоровье, медицинский, врач, врачи, пациент, пациенты, больница, клиника, болезнь, "
        "заболевание, симптомы, лечение, рак, диабет, лекарство, препарат, терапия, операция, "
        "давление, инфекция, вакцина",
        "zh": "健康, 医疗, 医生, 患者, 病人, 医院, 疾病, 症状, 治疗, 癌症, 糖尿病, 药物, 手术, 血压, "
        "感染, 疫苗",
        "ja": "健康, 医療, 医師, 患者, 病院, 病気, 症状, 治療, がん, 糖尿病, 手術, 血圧, 感染, ワクチン",
    },
    "hobbies_leisure": {
        "en": "hobby, hobbies, knitting, sewing, crochet, quilting, crafts, handmade, photography, camera, "
        "fishing, hunting, camping, hiking, collecting, collectors, stamps, model railway, dog, dogs, "
        "cat, cats, puppy, pets",
        "de": "hobby, hobbys, stricken, nähen, häkeln, basteln, handgemacht, fotografie, kamera, angeln, "
        "jagd, camping, wandern, sammeln, sammler, briefmarken, modellbahn, hund, hunde, katze, katzen, "
        "haustiere",
        "fr": "loisirs, tricot, couture, crochet, bricolage créatif, fait main, photographie, "
        "appareil photo, "
        "pêche, chasse, camping, randonnée, collection, collectionneurs, timbres, chien, chiens, chat, "
        "chats, chiot",
        "es": "pasatiempo, pasatiempos, tejer, costura, ganchillo, manualidades, hecho a mano, fotografía, "
        "cámara, pesca, caza, acampada, senderismo, colección, coleccionistas, sellos, perro, perros, "
        "gato, gatos, mascotas",
        "it": "hobby, passatempo, maglia, cucito, uncinetto, fai da te, fatto a mano, fotografia, "
        "fotocamera, pesca, caccia, campeggio, escursionismo, collezione, collezionisti, francobolli, cane, "
        "cani, gatto, gatti, animali domestici",
        "pt": "passatempo, hobby, tricô, costura, crochê, artesanato, feito à mão, fotografia, câmera, "
        "pesca, caça, acampamento, trilha, coleção, colecionadores, selos, cachorro, cachorros, gato, "
        "gatos, animais de estimação",
        "nl": "hobby, hobby's, breien, naaien, haken, knutselen, handgemaakt, fotografie, camera, vissen, "
        "jacht, kamperen, wandelen, verzamelen, verzamelaars, postzegels, hond, honden, kat, katten, "
        "huisdieren",
        "ru": "хобби, вязание, шитье, рукоделие, своими руками, фотография, фотоаппарат, рыбалка, охота, "
        "поход, коллекция, коллекционеры, марки, собака, собаки, кошка, кошки, щенок",
        "zh": "爱好, 编织, 手工, 刺绣, 摄影, 相机, 钓鱼, 露营, 徒步, 收藏, 集邮, 宠物, 狗狗, 猫咪",
        "ja": "趣味, 編み物, 手芸, ハンドメイド, 写真撮影, カメラ, 釣り, キャンプ, 登山, コレクション, 切手, "
        "ペット",
    },
    "home_garden": {
        "en": "garden, gardening, plants, flowers, lawn, seeds, furniture, sofa, kitchen, bathroom, bedroom, "
        "decor, interior design, diy, renovation, flooring, wallpaper, curtains, mattress, roof, plumbing",
        "de": "garten, gartenarbeit, pflanzen, blumen, rasen, samen, möbel, sofa, badezimmer, "
        "schlafzimmer, deko, einrichtung, heimwerker, renovierung, bodenbelag, tapete, vorhänge, matratze",
        "fr": "jardin, jardinage, plantes, fleurs, pelouse, graines, meubles, canapé, salle de bain, "
        "chambre, décoration, aménagement, bricolage, rénovation, parquet, papier peint, rideaux, matelas",
        "es": "jardín, jardinería, plantas, flores, césped, semillas, muebles, sofá, baño, dormitorio, "
        "decoración, bricolaje, reforma, renovación, suelo, papel pintado, cortinas, colchón",
        "it": "giardino, giardinaggio, piante, fiori, prato, semi, mobili, divano, bagno, camera da letto, "
        "arredamento, arredo, ristrutturazione, pavimento, carta da parati, tende, materasso",
        "pt": "jardim, jardinagem, plantas, flores, gramado, sementes, móveis, sofá, banheiro, quarto, "
        "decoração, reforma, piso, papel de parede, cortinas, colchão, faça você mesmo",
        "nl": "tuin, tuinieren, planten, bloemen, gazon, zaden, meubels, keuken, badkamer, "
        "slaapkamer, interieur, woonkamer, klussen, verbouwing, vloer, behang, gordijnen, matras",
        "ru": "сад, огород, растения, цветы, газон, семена, мебель, диван, кухня, ванная, спальня, "
        "декор, интерьер, ремонт, пол, обои, шторы, матрас",
        "zh": "花园, 园艺, 植物, 花卉, 草坪, 种子, 家具, 沙发, 厨房, 浴室, 卧室, 装修, 家居, "
        "室内设计, 地板, 壁纸, 窗帘, 床垫",
        "ja": "ガーデニング, 植物, 花壇, 芝生, 家具, ソファ, キッチン, 浴室, 寝室, インテリア, "
        "リフォーム, 壁紙, カーテン, マットレス",
    },
    "jobs_careers": {
        "en": "job, jobs, career, careers, hiring, employer, employers, employee, employees, resume, cv, "
        "salary, vacancy, vacancies, recruitment, recruiter, job interview, apply now, full time, "
        "part time, internship, job description",
        "de": "job, jobs, stellenangebot, stellenangebote, karriere, arbeitgeber, arbeitnehmer, "
        "mitarbeiter, bewerbung, lebenslauf, gehalt, vollzeit, teilzeit, praktikum, "
        "vorstellungsgespräch, jetzt bewerben",
        "fr": "emploi, emplois, offre d'emploi, carrière, recrutement, employeur, employeurs, salarié, "
        "salariés, candidature, cv, salaire, poste, temps plein, temps partiel, stage, entretien d'embauche",
        "es": "empleo, empleos, oferta de empleo, carrera profesional, contratación, empleador, empleados, "
        "candidatos, currículum, salario, sueldo, vacante, vacantes, jornada completa, prácticas, "
        "entrevista de trabajo",
        "it": "lavoro, offerte di lavoro, carriera, assunzione, assunzioni, datore di lavoro, dipendenti, "
        "candidatura, curriculum, stipendio, posizione aperta, tempo pieno, part time, tirocinio, "
        "colloquio di lavoro",
        "pt": "emprego, empregos, vaga, vagas, carreira, contratação, empregador, funcionários, "
        "candidatura, currículo, salário, tempo integral, meio período, estágio, entrevista de emprego",
        "nl": "baan, banen, vacature, vacatures, carrière, werkgever, werknemer, werknemers, sollicitatie, "
        "solliciteren, cv, salaris, fulltime, parttime, stage, sollicitatiegesprek",
        "ru": "работа, вакансия, вакансии, карьера, работодатель, сотрудники, резюме, зарплата, "
        "заработная плата, полный рабочий день, стажировка, собеседование, трудоустройство, соискатель",
        "zh": "招聘, 求职, 职位, 岗位, 简历, 薪资, 工资, 面试, 实习, 全职, 兼职, 人才, 职业发展, 应聘",
        "ja": "求人, 採用, 転職, 就職, 履歴書, 給与, 月給, 時給, 面接, アルバイト, 正社員, 派遣, 募集要項",
    },
    "law_government": {
        "en": "law, laws, legal, court, judge, lawyer, attorney, lawsuit, statute, regulation, "
        "regulations, government, ministry, federal, municipal, council, police, army, military, "
        "constitution, rights, legislation, supreme court",
        "de": "gesetz, gesetze, rechtlich, gericht, richter, anwalt, rechtsanwalt, klage, verordnung, "
        "regierung, ministerium, behörde, gemeinderat, polizei, armee, bundeswehr, verfassung, "
        "grundgesetz, paragraph",
        "fr": "loi, lois, juridique, tribunal, juge, avocat, procès, décret, règlement, gouvernement, "
        "ministère, administration, préfecture, conseil municipal, police, armée, militaire, constitution, "
        "droits, législation",
        "es": "ley, leyes, jurídico, tribunal, juez, abogado, demanda, decreto, reglamento, gobierno, "
        "ministerio, administración, ayuntamiento, policía, ejército, militar, constitución, derechos, "
        "legislación",
        "it": "legge, leggi, giuridico, tribunale, giudice, avvocato, causa, decreto, regolamento, governo, "
        "ministero, amministrazione, comune, polizia, esercito, militare, costituzione, diritti, "
        "legislazione",
        "pt": "lei, leis, jurídico, tribunal, juiz, advogado, processo, decreto, regulamento, governo, "
        "ministério, administração, prefeitura, polícia, exército, militar, constituição, direitos, "
        "legislação",
        "nl": "wet, wetten, juridisch, rechtbank, rechter, advocaat, rechtszaak, besluit, regelgeving, "
        "regering, overheid, ministerie, gemeente, politie, leger, militair, grondwet, rechten, wetgeving",
        "ru": "закон, законы, юридический, суд, судья, адвокат, иск, постановление, регламент, "
        "правительство, министерство, администрация, полиция, армия, военный, конституция, права, "
        "законодательство",
        "zh": "法律, 法规, 法院, 法官, 律师, 诉讼, 条例, 政府, 行政, 警方, 警察, 军队, 宪法, 权利, 立法",
        "ja": "法律, 法令, 裁判所, 裁判官, 弁護士, 訴訟, 条例, 政府, 行政, 警察, 自衛隊, 憲法, 権利, 立法",
    },
    "news_politics": {
        "en": "election, elections, president, minister, parliament, senate, congress, politician, "
        "politicians, political, politics, party, campaign, vote, voters, democrats, republicans, "
        "opposition, prime minister, breaking news, reported, reuters",
        "de": "wahl, wahlen, präsident, minister, bundestag, parlament, politiker, politisch, politik, "
        "partei, parteien, wahlkampf, abstimmung, wähler, opposition, kanzlerin, bundeskanzler, "
        "nachrichten, spd, cdu",
        "fr": "élection, élections, président, ministre, parlement, assemblée nationale, sénat, "
        "politique, politiques, parti, campagne, vote, électeurs, opposition, premier ministre, député, "
        "actualité, manifestation",
        "es": "elecciones, presidente, ministro, parlamento, congreso, senado, político, políticos, "
        "política, partido, campaña, votación, votantes, oposición, diputado, diputados, noticias",
        "it": "elezioni, presidente, ministro, parlamento, senato, camera dei deputati, politico, "
        "politici, politica, partito, campagna elettorale, voto, elettori, opposizione, deputato, "
        "notizie, premier",
        "pt": "eleição, eleições, presidente, ministro, congresso, senado, câmara, político, políticos, "
        "política, partido, campanha, votação, eleitores, oposição, deputado, deputados, notícias",
        "nl": "verkiezingen, verkiezing, president, minister, parlement, tweede kamer, politicus, "
        "politici, politiek, partij, partijen, campagne, stemmen, kiezers, oppositie, premier, nieuws",
        "ru": "выборы, президент, министр, парламент, госдума, депутат, депутаты, политик, политики, "
        "политика, партия, кампания, голосование, избиратели, оппозиция, премьер, новости",
        "zh": "选举, 总统, 总理, 部长, 议会, 国会, 政治, 政党, 竞选, 投票, 选民, 反对派, 议员, 新闻, 外交",
        "ja": "選挙, 大統領, 首相, 大臣, 国会, 議会, 政治, 政党, 自民党, 投票, 有権者, 野党, 議員, "
        "ニュース, 外交",
    },
    "people_society": {
        "en": "family, families, parents, children, mother, father, marriage, wedding, divorce, "
        "relationship, relationships, community, volunteers, charity, poverty, homeless, immigrants, "
        "women, gender, racism, friendship, obituary",
        "de": "familie, familien, eltern, kinder, mutter, vater, ehe, hochzeit, scheidung, beziehung, "
        "gemeinschaft, ehrenamt, ehrenamtliche, spenden, armut, obdachlose, migranten, frauen, "
        "gleichberechtigung, rassismus, freundschaft",
        "fr": "famille, familles, parents, enfants, mère, père, mariage, divorce, couple, relation, "
        "communauté, bénévoles, association, pauvreté, sans abri, immigrés, femmes, égalité, racisme, amitié",
        "es": "familia, familias, padres, hijos, madre, padre, matrimonio, boda, divorcio, pareja, "
        "relación, comunidad, voluntarios, pobreza, personas sin hogar, inmigrantes, mujeres, igualdad, "
        "racismo, amistad",
        "it": "famiglia, famiglie, genitori, figli, madre, padre, matrimonio, nozze, divorzio, coppia, "
        "relazione, comunità, volontari, volontariato, povertà, senzatetto, immigrati, donne, "
        "uguaglianza, razzismo, amicizia",
        "pt": "família, famílias, pais, filhos, mãe, pai, casamento, divórcio, casal, relacionamento, "
        "comunidade, voluntários, pobreza, moradores de rua, imigrantes, mulheres, igualdade, racismo, "
        "amizade",
        "nl": "familie, gezin, gezinnen, ouders, kinderen, moeder, vader, huwelijk, bruiloft, scheiding, "
        "relatie, gemeenschap, vrijwilligers, armoede, daklozen, immigranten, vrouwen, gelijkheid, "
        "racisme, vriendschap",
        "ru": "семья, семьи, родители, дети, мать, мама, отец, папа, брак, свадьба, развод, отношения, "
        "сообщество, волонтеры, бедность, бездомные, мигранты, женщины, равенство, дружба",
        "zh": "家庭, 父母, 孩子, 母亲, 父亲, 婚姻, 婚礼, 离婚, 恋爱, 社区, 志愿者, 慈善, 贫困, 移民, "
        "女性, 性别, 友谊",
        "ja": "家族, 家庭, 両親, 子供, 子ども, 母親, 父親, 結婚, 離婚, 恋愛, 地域社会, ボランティア, 貧困, "
        "移民, 女性, 友情",
    },
    "real_estate": {
        "en": "real estate, property, properties, homes for sale, for rent, apartment, apartments, "
        "bedrooms, realtor, listing, listings, square feet, sq ft, mortgage rates, landlord, tenant, "
        "tenants, condo, townhouse, open house",
        "de": "immobilien, immobilie, wohnung, wohnungen, mietwohnung, eigentumswohnung, zimmer, makler, "
        "quadratmeter, miete, mieter, vermieter, kaufpreis, grundstück, einfamilienhaus, zu verkaufen, "
        "zu vermieten",
        "fr": "immobilier, appartement, appartements, maison à vendre, à louer, location, agence "
        "immobilière, agent immobilier, mètres carrés, loyer, locataire, propriétaire, terrain, "
        "pièces, vente",
        "es": "inmobiliaria, inmueble, inmuebles, piso, pisos, apartamento, apartamentos, en venta, "
        "en alquiler, alquiler, metros cuadrados, habitaciones, inquilino, arrendador, terreno, chalet",
        "it": "immobiliare, immobile, immobili, appartamento, appartamenti, in vendita, in affitto, affitto, "
        "agenzia immobiliare, metri quadri, locali, inquilino, proprietario, terreno, villetta",
        "pt": "imobiliária, imóvel, imóveis, apartamento, apartamentos, à venda, para alugar, aluguel, "
        "corretor, metros quadrados, dormitórios, inquilino, proprietário, terreno, condomínio",
        "nl": "makelaar, woning, woningen, huurwoning, koopwoning, appartement, te koop, te huur, huur, "
        "vierkante meter, slaapkamers, huurder, verhuurder, kavel, vraagprijs, tussenwoning",
        "ru": "недвижимость, квартира, квартиры, продажа квартир, аренда, снять квартиру, риелтор, "
        "квадратных метров, комнаты, арендатор, арендодатель, участок, новостройка, жилье",
        "zh": "房地产, 楼盘, 房产, 二手房, 新房, 租房, 出租, 出售, 中介, 平方米, 户型, 房东, 租客, "
        "地产, 房价",
        "ja": "不動産, 物件, 賃貸, 分譲, マンション, 一戸建て, 売買, 仲介, 平米, 間取り, 家賃, 大家, "
        "土地, 新築",
    },
    "religion": {
        "en": "god, jesus, christ, church, churches, bible, prayer, pray, faith, lord, christian, "
        "christians, pastor, gospel, worship, holy spirit, scripture, islam, muslim, mosque, allah, "
        "buddhist, temple, bishop",
        "de": "gott, jesus, christus, kirche, kirchen, bibel, gebet, beten, glaube, christlich, "
        "christen, pfarrer, evangelium, gottesdienst, heiliger geist, islam, muslime, moschee, buddhismus",
        "fr": "dieu, jésus, christ, église, églises, bible, prière, prier, foi, seigneur, chrétien, "
        "chrétiens, prêtre, évangile, messe, saint esprit, islam, musulman, mosquée, bouddhisme",
        "es": "dios, jesús, cristo, iglesia, iglesias, biblia, oración, orar, fe, cristiano, "
        "cristianos, sacerdote, evangelio, misa, espíritu santo, islam, musulmán, mezquita, budismo",
        "it": "dio, gesù, cristo, chiesa, chiese, bibbia, preghiera, pregare, fede, cristiano, "
        "cristiani, sacerdote, vangelo, messa, spirito santo, islam, musulmano, moschea, papa",
        "pt": "deus, jesus, cristo, igreja, igrejas, bíblia, oração, orar, fé, cristão, cristãos, "
        "pastor, evangelho, missa, espírito santo, islã, muçulmano, mesquita, budismo",
        "nl": "god, jezus, christus, kerk, kerken, bijbel, gebed, bidden, geloof, christelijk, "
        "christenen, dominee, evangelie, kerkdienst, heilige geest, islam, moslim, moskee, boeddhisme",
        "ru": "бог, бога, иисус, христос, церковь, храм, библия, молитва, молиться, вера, господь, "
        "христианский, христиане, священник, евангелие, православный, ислам, мечеть, буддизм",
        "zh": "上帝, 耶稣, 基督, 教会, 教堂, 圣经, 祷告, 信仰, 主耶稣, 基督徒, 牧师, 福音, 佛教, "
        "寺庙, 伊斯兰, 清真寺, 佛陀",
        "ja": "神様, イエス, キリスト, 教会, 聖書, 祈り, 信仰, 牧師, 福音, 仏教, 寺院, 神社, "
        "イスラム, 仏陀, 礼拝",
    },
    "science_technology": {
        "en": "science, scientific, scientists, research, researchers, study, physics, chemistry, "
        "biology, laboratory, experiment, molecules, genes, dna, climate change, energy, engineering, "
        "nasa, space, planet, universe, technology, robots, quantum",
        "de": "wissenschaft, wissenschaftlich, wissenschaftler, forschung, forscher, studie, physik, "
        "chemie, biologie, labor, experiment, moleküle, gene, klimawandel, energie, technik, weltraum, "
        "planet, universum, technologie, roboter",
        "fr": "science, sciences, scientifique, scientifiques, recherche, chercheurs, étude, physique, "
        "chimie, biologie, laboratoire, expérience, molécules, gènes, changement climatique, énergie, "
        "ingénierie, espace, planète, univers, technologie",
        "es": "ciencia, ciencias, científico, científicos, investigación, investigadores, estudio, física, "
        "química, biología, laboratorio, experimento, moléculas, genes, cambio climático, energía, "
        "ingeniería, espacio, planeta, universo, tecnología",
        "it": "scienza, scienze, scientifico, scienziati, ricerca, ricercatori, studio, fisica, chimica, "
        "biologia, laboratorio, esperimento, molecole, geni, cambiamento climatico, energia, ingegneria, "
        "spazio, pianeta, universo, tecnologia",
        "pt": "ciência, ciências, científico, cientistas, pesquisa, pesquisadores, estudo, física, "
        "química, biologia, laboratório, experimento, moléculas, genes, mudanças climáticas, energia, "
        "engenharia, espaço, planeta, universo, tecnologia",
        "nl": "wetenschap, wetenschappelijk, wetenschappers, onderzoek, onderzoekers, natuurkunde, "
        "scheikunde, biologie, laboratorium, experiment, moleculen, genen, klimaatverandering, energie, "
        "techniek, ruimte, planeet, heelal, technologie",
        "ru": "наука, научный, ученые, исследование, исследователи, физика, химия, биология, лаборатория, "
        "эксперимент, молекулы, гены, изменение климата, энергия, инженерия, космос, планета, вселенная, "
        "технологии",
        "zh": "科学, 科学家, 研究, 研究人员, 物理, 化学, 生物, 实验室, 实验, 分子, 基因, 气候变化, "
        "能源, 工程, 太空, 宇宙, 科技, 技术",
        "ja": "科学, 科学者, 研究, 研究者, 物理, 化学, 生物学, 実験, 分子, 遺伝子, 気候変動, エネルギー, "
        "工学, 宇宙, 惑星, 技術, テクノロジー",
    },
    "shopping": {
        "en": "shop, shopping, buy, price, prices, sale, discount, discounts, coupon, coupons, free "
        "shipping, add to cart, cart, checkout, order, orders, delivery, in stock, customer reviews, "
        "brand, deals, store",
        "de": "shop, einkaufen, kaufen, preis, preise, rabatt, gutschein, gutscheine, versandkostenfrei, "
        "warenkorb, kasse, bestellen, bestellung, lieferung, versand, auf lager, kundenbewertungen, "
        "angebot, angebote, marke",
        "fr": "boutique, achat, acheter, prix, soldes, promo, promotion, réduction, code promo, "
        "livraison gratuite, panier, commande, commander, livraison, en stock, avis clients, marque, "
        "magasin",
        "es": "tienda, comprar, compra, precio, precios, rebajas, oferta, ofertas, descuento, cupón, "
        "envío gratis, carrito, pedido, pedidos, entrega, en stock, opiniones, marca",
        "it": "negozio, acquista, acquistare, prezzo, prezzi, saldi, offerta, offerte, sconto, sconti, "
        "coupon, spedizione gratuita, carrello, ordine, ordini, consegna, disponibile, recensioni, marca",
        "pt": "loja, comprar, compra, preço, preços, promoção, oferta, ofertas, desconto, descontos, cupom, "
        "frete grátis, carrinho, pedido, pedidos, entrega, em estoque, avaliações, marca",
        "nl": "winkel, webshop, kopen, prijs, prijzen, uitverkoop, aanbieding, aanbiedingen, korting, "
        "kortingscode, gratis verzending, winkelwagen, bestellen, bestelling, levering, op voorraad, "
        "reviews, merk",
        "ru": "магазин, купить, покупка, цена, цены, распродажа, скидка, скидки, акция, купон, "
        "бесплатная доставка, корзина, заказ, заказать, доставка, в наличии, отзывы, бренд",
        "zh": "购物, 购买, 价格, 特价, 促销, 折扣, 优惠, 优惠券, 包邮, 购物车, 下单, 订单, 配送, "
        "发货, 现货, 商城, 评价",
        "ja": "通販, ショッピング, 購入, 価格, 値段, セール, 割引, クーポン, 送料無料, カート, 注文, 配送, "
        "在庫, 商品, レビュー",
    },
    "sports": {
        "en": "football, soccer, basketball, baseball, tennis, golf, hockey, rugby, cricket, league, "
        "championship, tournament, coach, players, team, teams, match, goal, goals, season, nba, nfl, "
        "olympic, athletes",
        "de": "fußball, bundesliga, basketball, tennis, golf, eishockey, handball, liga, meisterschaft, "
        "turnier, trainer, spieler, mannschaft, mannschaften, tor, tore, saison, olympia, sportler, "
        "athleten, verein",
        "fr": "football, foot, basket, tennis, golf, rugby, handball, ligue, championnat, tournoi, "
        "entraîneur, joueurs, équipe, équipes, match, but, buts, saison, olympiques, athlètes, sportif",
        "es": "fútbol, baloncesto, béisbol, tenis, golf, liga, campeonato, torneo, entrenador, jugadores, "
        "equipo, equipos, gol, goles, temporada, olímpicos, atletas, deportivo",
        "it": "calcio, serie a, basket, pallavolo, tennis, golf, campionato, torneo, allenatore, "
        "giocatori, squadra, squadre, partita, gol, stagione, olimpiadi, atleti, sportivo",
        "pt": "futebol, basquete, vôlei, tênis, golfe, campeonato, torneio, técnico, jogadores, time, "
        "equipe, equipes, partida, gol, gols, temporada, olimpíadas, atletas, esportivo",
        "nl": "voetbal, eredivisie, basketbal, hockey, tennis, golf, competitie, kampioenschap, toernooi, "
        "trainer, spelers, ploeg, elftal, wedstrijd, doelpunt, doelpunten, seizoen, olympische, atleten",
        "ru": "футбол, хоккей, баскетбол, теннис, гольф, лига, чемпионат, турнир, тренер, игроки, "
        "команда, команды, матч, гол, голы, сезон, олимпийские, спортсмены, спортивный",
        "zh": "足球, 篮球, 棒球, 网球, 高尔夫, 联赛, 冠军, 锦标赛, 教练, 球员, 球队, 比赛, 进球, "
        "赛季, 奥运, 运动员",
        "ja": "サッカー, 野球, バスケットボール, テニス, ゴルフ, リーグ, 選手権, 大会, 監督, 選手, チーム, "
        "試合, ゴール, シーズン, オリンピック",
    },
    "travel": {
        "en": "travel, hotel, hotels, resort, flight, flights, airport, airline, vacation, holiday, "
        "holidays, tourist, tourists, tourism, destination, beach, booking, sightseeing, cruise, "
        "itinerary, passport, hostel",
        "de": "reise, reisen, hotel, hotels, urlaub, flug, flüge, flughafen, fluggesellschaft, "
        "ferienwohnung, tourist, touristen, tourismus, reiseziel, strand, buchung, sehenswürdigkeiten, "
        "kreuzfahrt, reisepass",
        "fr": "voyage, voyages, hôtel, hôtels, vacances, vol, vols, aéroport, compagnie aérienne, "
        "touriste, touristes, tourisme, destination, plage, réservation, croisière, passeport, séjour",
        "es": "viaje, viajes, hotel, hoteles, vacaciones, vuelo, vuelos, aeropuerto, aerolínea, turista, "
        "turistas, turismo, destino, playa, reserva, crucero, pasaporte, alojamiento",
        "it": "viaggio, viaggi, albergo, alberghi, hotel, vacanza, vacanze, volo, voli, aeroporto, "
        "compagnia aerea, turista, turisti, turismo, destinazione, spiaggia, prenotazione, crociera",
        "pt": "viagem, viagens, hotel, hotéis, pousada, férias, voo, voos, aeroporto, companhia aérea, "
        "turista, turistas, turismo, destino, praia, reserva, cruzeiro, passaporte, hospedagem",
        "nl": "reis, reizen, hotel, hotels, vakantie, vlucht, vluchten, luchthaven, vliegveld, toerist, "
        "toeristen, toerisme, bestemming, strand, cruise, paspoort, vakantiehuis",
        "ru": "путешествие, путешествия, отель, отели, гостиница, отдых, отпуск, рейс, аэропорт, "
        "авиакомпания, туристы, туризм, курорт, пляж, бронирование, круиз, загранпаспорт, экскурсии",
        "zh": "旅游, 旅行, 酒店, 宾馆, 度假, 航班, 机场, 航空公司, 游客, 景点, 目的地, 海滩, 预订, "
        "邮轮, 护照",
        "ja": "旅行, 観光, ホテル, 旅館, 航空券, 空港, 航空会社, 観光客, 観光地, ビーチ, 予約, "
        "クルーズ, パスポート, ツアー",
    },
}

UNSPACED_LANGUAGES = frozenset({"zh", "ja", "th"})  # no spaces between words: seeds match as substrings


def _parse(raw: dict[str, dict[str, str]]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Language -> topic -> seeds, each lower-cased and trimmed, in order, once."""
    by_language: dict[str, dict[str, tuple[str, ...]]] = {}
    for topic, languages in raw.items():
        for lang, seeds in languages.items():
            words = dict.fromkeys(seed.strip().lower() for seed in seeds.split(",") if seed.strip())
            by_language.setdefault(lang, {})[topic] = tuple(words)
    return by_language


SEEDS: dict[str, dict[str, tuple[str, ...]]] = _parse(_RAW)
SEED_LANGUAGES: tuple[str, ...] = tuple(sorted(SEEDS))
