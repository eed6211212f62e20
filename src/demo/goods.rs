//! The category tree and the goods sold in each leaf: titles, price ranges,
//! weights and variants, in Chinese and English.

/// One kind of product: a title stem, a price range in yuan, a shipping weight.
pub struct Item {
    pub title: &'static str,
    pub price: (i64, i64),
    pub grams: i64,
    pub desc: &'static str,
}

/// A leaf category with its goods; `variants` is appended to titles.
pub struct Leaf {
    pub path: &'static str,
    pub code: &'static str,
    pub commission_bp: Option<i64>,
    pub origin: &'static [&'static str],
    pub variants: &'static [&'static str],
    pub items: &'static [Item],
}

const fn it(title: &'static str, lo: i64, hi: i64, grams: i64, desc: &'static str) -> Item {
    Item {
        title,
        price: (lo, hi),
        grams,
        desc,
    }
}

const COLORS: &[&str] = &["白色", "黑色", "星空蓝", "薄荷绿", "樱花粉", "深空灰"];
const EN_COLORS: &[&str] = &["White", "Black", "Navy", "Sage", "Sand", "Graphite"];
const SIZES: &[&str] = &["S", "M", "L", "XL", "XXL", "黑色 L", "白色 M", "藏青 XL"];
const PACKS: &[&str] = &["", "礼盒装", "家庭装", "2件装", "组合装"];
const EN_PACKS: &[&str] = &["", "Gift Box", "2-Pack", "Family Size", "Value Pack"];
const CN_ORIGIN: &[&str] = &["广东深圳", "广东东莞", "浙江义乌", "江苏苏州", "福建厦门", "中国"];

pub const LEAVES: &[Leaf] = &[
    Leaf {
        path: "数码 > 耳机",
        code: "EAR",
        commission_bp: Some(600),
        origin: CN_ORIGIN,
        variants: COLORS,
        items: &[
            it(
                "无线蓝牙耳机 Pro",
                199,
                599,
                180,
                "蓝牙5.3，主动降噪，单次续航8小时，支持无线充电",
            ),
            it(
                "降噪头戴式耳机",
                399,
                1299,
                420,
                "混合主动降噪，40mm动圈单元，折叠便携",
            ),
            it(
                "运动挂耳式耳机",
                99,
                299,
                150,
                "IPX5防水防汗，稳固不掉，跑步健身适用",
            ),
            it(
                "Wireless Earbuds X",
                149,
                399,
                160,
                "Bluetooth 5.3 earbuds, 30h battery with case, touch controls",
            ),
            it("有线入耳式耳机", 29, 99, 80, "3.5mm接口，线控通话，高保真音质"),
        ],
    },
    Leaf {
        path: "数码 > 手机配件 > 充电器",
        code: "CHG",
        commission_bp: Some(500),
        origin: CN_ORIGIN,
        variants: COLORS,
        items: &[
            it(
                "65W 氮化镓充电器",
                89,
                199,
                160,
                "氮化镓快充，三口同时输出，笔记本手机通用",
            ),
            it("20W PD 快充头", 39, 79, 80, "PD协议快充，30分钟充至50%"),
            it("三合一无线充电板", 129, 299, 350, "手机、耳机、手表同时无线充电"),
            it(
                "Magnetic Wireless Charger",
                99,
                249,
                200,
                "15W magnetic charger with USB-C cable",
            ),
        ],
    },
    Leaf {
        path: "数码 > 手机配件 > 数据线",
        code: "CBL",
        commission_bp: None,
        origin: CN_ORIGIN,
        variants: &["1m", "2m", "0.5m", "白色 1m", "黑色 2m"],
        items: &[
            it("Type-C 快充数据线", 19, 49, 60, "支持100W快充，编织线身耐弯折"),
            it("编织数据线 三合一", 29, 69, 80, "一线三头，苹果安卓通用"),
            it(
                "USB-C to Lightning Cable",
                39,
                99,
                60,
                "MFi certified, fast charging, 10,000 bend tested",
            ),
        ],
    },
    Leaf {
        path: "数码 > 智能穿戴",
        code: "WEAR",
        commission_bp: Some(600),
        origin: CN_ORIGIN,
        variants: COLORS,
        items: &[
            it("智能手环 8", 199, 349, 120, "心率血氧监测，14天续航，50米防水"),
            it(
                "运动智能手表 GT",
                699,
                1999,
                250,
                "双频GPS，百种运动模式，AMOLED屏幕",
            ),
            it("儿童电话手表", 299, 699, 150, "4G全网通，精准定位，视频通话"),
            it(
                "Smart Ring",
                899,
                1699,
                60,
                "Sleep and heart-rate tracking in a titanium ring",
            ),
        ],
    },
    Leaf {
        path: "家居 > 厨具",
        code: "KIT",
        commission_bp: Some(450),
        origin: &["浙江永康", "广东阳江", "浙江义乌", "中国"],
        variants: COLORS,
        items: &[
            it(
                "不锈钢保温杯 500ml",
                59,
                169,
                380,
                "316不锈钢内胆，12小时保温，一键开盖",
            ),
            it(
                "不粘锅炒锅 30cm",
                129,
                399,
                1800,
                "麦饭石涂层，少油烟，燃气电磁炉通用",
            ),
            it("陶瓷刀具五件套", 99, 299, 1200, "高硬度陶瓷刀片，不生锈，附刀座"),
            it("电热水壶 1.7L", 79, 199, 1300, "304不锈钢，沸腾自动断电，防干烧"),
            it(
                "玻璃保鲜盒 3件套",
                49,
                129,
                1500,
                "高硼硅玻璃，可微波加热，密封防漏",
            ),
        ],
    },
    Leaf {
        path: "家居 > 收纳",
        code: "STO",
        commission_bp: None,
        origin: &["浙江台州", "浙江义乌", "中国"],
        variants: PACKS,
        items: &[
            it("桌面收纳盒", 19, 59, 400, "多格分类，桌面整洁，办公学习适用"),
            it("真空压缩袋 8件装", 39, 89, 900, "加厚材质，节省70%空间，附手泵"),
            it(
                "可折叠收纳箱 55L",
                49,
                119,
                1600,
                "可折叠，带盖防尘，衣物玩具收纳",
            ),
            it("衣柜分隔板", 29, 69, 700, "免安装，伸缩调节，衣柜分层"),
        ],
    },
    Leaf {
        path: "家居 > 床品",
        code: "BED",
        commission_bp: Some(550),
        origin: &["江苏南通", "浙江绍兴", "中国"],
        variants: &["1.5m", "1.8m", "2.0m", "灰色 1.8m", "米白 1.5m"],
        items: &[
            it("纯棉四件套", 199, 599, 2200, "100%长绒棉，60支高密，亲肤透气"),
            it("天然乳胶枕", 129, 399, 1300, "泰国天然乳胶，护颈曲线，透气抑菌"),
            it(
                "蚕丝被 200x230",
                599,
                1899,
                3000,
                "桑蚕丝填充，轻盈保暖，四季可用",
            ),
        ],
    },
    Leaf {
        path: "食品 > 茶叶",
        code: "TEA",
        commission_bp: Some(400),
        origin: &["浙江杭州", "云南普洱", "福建安溪", "福建武夷山"],
        variants: PACKS,
        items: &[
            it(
                "西湖龙井 250g 明前特级",
                268,
                888,
                400,
                "明前采摘，豆香浓郁，汤色嫩绿明亮",
            ),
            it(
                "云南普洱熟茶饼 357g",
                89,
                399,
                450,
                "勐海原料，陈香醇厚，越陈越香",
            ),
            it("安溪铁观音 浓香型", 128, 468, 500, "传统炭焙，兰花香，回甘持久"),
            it("正山小种红茶 200g", 98, 298, 350, "桐木关原产，松烟香，汤色红亮"),
        ],
    },
    Leaf {
        path: "食品 > 零食",
        code: "SNK",
        commission_bp: Some(350),
        origin: &["山东临沂", "福建晋江", "内蒙古", "中国"],
        variants: PACKS,
        items: &[
            it(
                "每日坚果 30袋装",
                79,
                169,
                800,
                "六种坚果果干科学配比，独立小包装",
            ),
            it(
                "牛肉干 五香味 200g",
                49,
                99,
                300,
                "内蒙古草原牛肉，手撕风干，高蛋白",
            ),
            it("手撕面包 1kg 整箱", 29, 59, 1200, "早餐代餐，松软香甜，独立包装"),
            it("海苔脆片 组合", 19, 49, 200, "烤制不油炸，儿童零食"),
        ],
    },
    Leaf {
        path: "食品 > 粮油",
        code: "GRN",
        commission_bp: Some(300),
        origin: &["黑龙江五常", "吉林", "Spain"],
        variants: PACKS,
        items: &[
            it("五常大米 5kg", 69, 159, 5200, "当季新米，稻花香2号，真空包装"),
            it("东北黑木耳 250g", 39, 89, 300, "秋耳肉厚，泡发率高"),
            it("特级初榨橄榄油 1L", 89, 199, 1100, "西班牙原瓶进口，冷榨工艺"),
        ],
    },
    Leaf {
        path: "服饰 > 男装",
        code: "MEN",
        commission_bp: Some(800),
        origin: &["广东广州", "浙江杭州", "福建石狮"],
        variants: SIZES,
        items: &[
            it("纯棉圆领短袖T恤", 49, 129, 250, "新疆长绒棉，220g重磅，不易变形"),
            it("休闲工装裤", 129, 299, 600, "多口袋设计，宽松直筒，耐磨面料"),
            it("轻薄羽绒服", 299, 799, 700, "90%白鸭绒，轻薄保暖，可收纳"),
            it("商务衬衫 免烫", 129, 359, 350, "免烫抗皱，修身版型，通勤必备"),
        ],
    },
    Leaf {
        path: "服饰 > 女装",
        code: "WOM",
        commission_bp: Some(800),
        origin: &["浙江杭州", "广东深圳", "江苏常熟"],
        variants: SIZES,
        items: &[
            it("针织开衫", 129, 329, 400, "柔软亲肤，百搭外套，春秋款"),
            it("高腰阔腿裤", 99, 259, 450, "垂感面料，显高显瘦"),
            it("法式碎花连衣裙", 159, 459, 350, "复古碎花，收腰设计，度假风"),
            it("双面羊毛大衣", 699, 1999, 1300, "双面呢工艺，90%羊毛，经典廓形"),
        ],
    },
    Leaf {
        path: "美妆 > 护肤",
        code: "SKN",
        commission_bp: Some(700),
        origin: &["上海", "广东广州", "Japan", "Korea"],
        variants: PACKS,
        items: &[
            it(
                "玻尿酸补水面膜 10片",
                59,
                139,
                350,
                "三重玻尿酸，深层补水，敏感肌可用",
            ),
            it("烟酰胺精华液 30ml", 129, 369, 150, "5%烟酰胺，提亮肤色，淡化痘印"),
            it("氨基酸洁面乳 120g", 49, 119, 200, "温和清洁，不紧绷，男女通用"),
            it(
                "防晒霜 SPF50+ 50ml",
                89,
                229,
                120,
                "清爽不油腻，防水防汗，户外适用",
            ),
        ],
    },
    Leaf {
        path: "Home > Kitchen",
        code: "HKT",
        commission_bp: Some(450),
        origin: &["China", "Germany", "Japan"],
        variants: EN_COLORS,
        items: &[
            it(
                "Cast Iron Skillet 26cm",
                159,
                399,
                2600,
                "Pre-seasoned cast iron, oven safe, lasts a lifetime",
            ),
            it(
                "Bamboo Cutting Board Set",
                69,
                159,
                1400,
                "Three organic bamboo boards with juice grooves",
            ),
            it(
                "French Press Coffee Maker 1L",
                99,
                249,
                800,
                "Borosilicate glass, stainless steel 4-level filter",
            ),
            it(
                "Silicone Baking Mat 2-Pack",
                39,
                89,
                300,
                "Non-stick, reusable, fits half-sheet pans",
            ),
        ],
    },
    Leaf {
        path: "Home > Bedding",
        code: "HBD",
        commission_bp: None,
        origin: &["China", "Portugal", "India"],
        variants: &["Queen", "King", "Twin", "Queen Grey", "King White"],
        items: &[
            it(
                "Cotton Duvet Cover Set",
                299,
                799,
                1800,
                "400 thread count sateen, button closure, 2 pillowcases",
            ),
            it(
                "Memory Foam Pillow",
                149,
                349,
                1200,
                "Contoured for neck support, washable cover",
            ),
            it(
                "Weighted Blanket 7kg",
                399,
                899,
                7400,
                "Glass-bead fill, breathable cotton shell",
            ),
        ],
    },
    Leaf {
        path: "Grocery > Tea & Coffee",
        code: "GTC",
        commission_bp: Some(400),
        origin: &["China", "Sri Lanka", "Colombia", "Japan"],
        variants: EN_PACKS,
        items: &[
            it(
                "Organic Green Tea 250g",
                89,
                199,
                350,
                "Certified organic loose-leaf green tea, spring harvest",
            ),
            it(
                "Arabica Coffee Beans 1kg",
                129,
                299,
                1100,
                "Medium roast single-origin beans, chocolate notes",
            ),
            it(
                "Earl Grey Tea Bags 100ct",
                59,
                129,
                400,
                "Black tea with natural bergamot oil",
            ),
            it(
                "Ceremonial Matcha Powder 100g",
                159,
                399,
                200,
                "Stone-ground Uji matcha for tea and lattes",
            ),
        ],
    },
    Leaf {
        path: "Sports > Outdoor",
        code: "OUT",
        commission_bp: Some(600),
        origin: &["China", "浙江宁波", "福建厦门"],
        variants: EN_COLORS,
        items: &[
            it(
                "Ultralight Camping Tent 2P",
                499,
                1299,
                1900,
                "Double-wall tent, 1.6kg packed, 3000mm waterproof",
            ),
            it(
                "Carbon Trekking Poles",
                199,
                499,
                500,
                "Carbon fibre, flick locks, cork grips",
            ),
            it("户外三合一冲锋衣", 399, 999, 1100, "防风防水，可拆卸抓绒内胆"),
            it("登山双肩包 40L", 199, 499, 1300, "背负系统透气，附防雨罩"),
        ],
    },
    Leaf {
        path: "Sports > Fitness",
        code: "FIT",
        commission_bp: None,
        origin: &["江苏南通", "China"],
        variants: COLORS,
        items: &[
            it("瑜伽垫 TPE 6mm", 59, 149, 1000, "双面防滑，体位线设计，附背带"),
            it("可调节哑铃 20kg", 299, 699, 20_500, "快速调节重量，节省空间"),
            it(
                "Resistance Bands Set",
                49,
                129,
                500,
                "Five latex bands with handles and door anchor",
            ),
            it("计数跳绳", 29, 79, 300, "电子计数，钢丝绳芯，可调长度"),
        ],
    },
    Leaf {
        path: "母婴 > 玩具",
        code: "TOY",
        commission_bp: Some(500),
        origin: &["广东汕头", "浙江义乌", "Denmark"],
        variants: PACKS,
        items: &[
            it("益智积木 200粒", 99, 299, 1200, "大颗粒积木，安全无毒，3岁以上"),
            it("遥控越野车", 129, 399, 1500, "四驱越野，2.4G遥控，充电款"),
            it("毛绒玩具熊 40cm", 59, 159, 500, "柔软亲肤，可机洗"),
        ],
    },
    Leaf {
        path: "Books > 图书",
        code: "BK",
        commission_bp: Some(300),
        origin: &["中国", "UK", "USA"],
        variants: &["", "精装", "平装", "Paperback", "Hardcover"],
        items: &[
            it("三体 全集", 69, 168, 1400, "刘慈欣科幻巨著，雨果奖获奖作品"),
            it("活着", 25, 45, 300, "余华代表作，讲述人的一生"),
            it(
                "The Three-Body Problem",
                89,
                169,
                450,
                "Cixin Liu's Hugo Award-winning novel, English edition",
            ),
            it(
                "Atomic Habits",
                79,
                149,
                400,
                "James Clear on building good habits, English edition",
            ),
        ],
    },
];

/// Selling points appended to descriptions.
pub const PERKS: &[&str] = &[
    "顺丰包邮，48小时内发货。",
    "支持7天无理由退换。",
    "官方正品保障，假一赔十。",
    "Free shipping on orders over ¥99.",
    "1-year warranty, replacement within 15 days.",
    "下单赠运费险。",
    "企业采购可开专票。",
    "Ships from our Shenzhen warehouse.",
];
