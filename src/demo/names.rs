//! Word lists for people, places and companies: Chinese mostly, some English,
//! as a small cross-border marketplace would see them.

use super::util::Dice;

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "萧", "田",
    "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈", "姚",
    "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "方", "白", "邹",
    "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛",
    "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "莫", "孔", "汤", "欧阳", "司马", "诸葛",
];

pub const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀兰", "霞", "平", "刚", "桂英", "浩", "宇", "子涵", "梓萱", "一诺", "欣怡", "浩然", "宇轩",
    "雨桐", "梓涵", "思远", "嘉怡", "俊杰", "佳琪", "晨曦", "子墨", "若曦", "天佑", "雅婷", "志强", "建华",
    "晓燕", "文博", "海燕", "小龙", "丹", "鑫", "婷", "晓明", "丽华", "国强", "美玲", "家豪", "诗涵", "博文",
    "雪", "琳", "昊天", "欣然", "紫萱", "梦琪", "子轩", "睿", "思琪", "新宇", "建国", "春梅", "玉兰", "振华",
    "凯", "晶晶", "慧", "亮",
];

pub const EN_FIRST: &[&str] = &[
    "Emily", "James", "Olivia", "Daniel", "Sophie", "Lucas", "Grace", "Ethan", "Chloe", "Ryan", "Mia",
    "Kevin", "Hannah", "Jason", "Amy", "David",
];

pub const EN_LAST: &[&str] = &[
    "Chen", "Wang", "Smith", "Lee", "Brown", "Garcia", "Müller", "Tan", "Nguyen", "Kim", "Wong", "Taylor",
];

/// A city with its province prefix (empty for municipalities) and districts.
pub struct City {
    pub province: &'static str,
    pub name: &'static str,
    pub districts: &'static [&'static str],
}

pub const CITIES: &[City] = &[
    City {
        province: "",
        name: "北京市",
        districts: &["朝阳区", "海淀区", "东城区", "西城区", "丰台区"],
    },
    City {
        province: "",
        name: "上海市",
        districts: &["浦东新区", "徐汇区", "静安区", "闵行区", "长宁区"],
    },
    City {
        province: "广东省",
        name: "广州市",
        districts: &["天河区", "越秀区", "海珠区", "番禺区"],
    },
    City {
        province: "广东省",
        name: "深圳市",
        districts: &["南山区", "福田区", "宝安区", "龙岗区"],
    },
    City {
        province: "浙江省",
        name: "杭州市",
        districts: &["西湖区", "滨江区", "余杭区", "拱墅区"],
    },
    City {
        province: "四川省",
        name: "成都市",
        districts: &["武侯区", "锦江区", "成华区", "青羊区"],
    },
    City {
        province: "江苏省",
        name: "南京市",
        districts: &["鼓楼区", "玄武区", "建邺区", "秦淮区"],
    },
    City {
        province: "湖北省",
        name: "武汉市",
        districts: &["洪山区", "江汉区", "武昌区"],
    },
    City {
        province: "陕西省",
        name: "西安市",
        districts: &["雁塔区", "碑林区", "未央区"],
    },
    City {
        province: "",
        name: "重庆市",
        districts: &["渝中区", "江北区", "南岸区"],
    },
    City {
        province: "江苏省",
        name: "苏州市",
        districts: &["姑苏区", "吴中区", "相城区"],
    },
    City {
        province: "",
        name: "天津市",
        districts: &["和平区", "南开区", "河西区"],
    },
    City {
        province: "湖南省",
        name: "长沙市",
        districts: &["岳麓区", "天心区", "芙蓉区"],
    },
    City {
        province: "福建省",
        name: "厦门市",
        districts: &["思明区", "湖里区"],
    },
    City {
        province: "山东省",
        name: "青岛市",
        districts: &["市南区", "崂山区", "黄岛区"],
    },
    City {
        province: "浙江省",
        name: "宁波市",
        districts: &["鄞州区", "海曙区"],
    },
    City {
        province: "河南省",
        name: "郑州市",
        districts: &["金水区", "中原区"],
    },
    City {
        province: "广东省",
        name: "东莞市",
        districts: &["南城街道", "东城街道", "松山湖"],
    },
    City {
        province: "浙江省",
        name: "义乌市",
        districts: &["稠城街道", "北苑街道"],
    },
    City {
        province: "云南省",
        name: "昆明市",
        districts: &["五华区", "盘龙区"],
    },
];

pub const ROADS: &[&str] = &[
    "建国路",
    "人民路",
    "中山路",
    "解放路",
    "科技园路",
    "长安街",
    "南京西路",
    "天府大道",
    "文三路",
    "淮海中路",
    "深南大道",
    "珠江路",
    "学院路",
    "青年路",
    "和平路",
    "滨江大道",
    "光华路",
    "望京街",
    "东风路",
    "新华路",
];

pub const COMPLEXES: &[&str] = &[
    "阳光花园",
    "万科城",
    "碧桂园",
    "翠湖苑",
    "金色家园",
    "绿地小区",
    "华润城",
    "保利花园",
    "幸福里",
    "龙湖天街",
    "世纪新城",
    "锦绣江南",
    "东方明珠苑",
    "春江花月",
];

/// Company name stems (字号).
pub const WORDS: &[&str] = &[
    "声悦", "星河", "优品", "青木", "云途", "锦程", "华创", "鼎盛", "恒通", "嘉禾", "百味", "山茶", "茗香",
    "悦家", "美居", "安心", "乐活", "源味", "极客", "智联", "晨光", "海纳", "同心", "瑞丰", "福满", "正泰",
    "新禾", "长青", "蓝海", "天合", "万象", "好物", "小满", "初心", "拾光", "森屿", "木槿", "暖阳", "知味",
    "臻选", "匠心", "御品", "东方", "南风", "北辰", "西岭", "雅趣", "趣玩", "微光", "致远", "博远", "宏图",
    "金诺", "银河", "鸿运", "和美", "清源", "朗润", "盛世", "启明",
];

pub const INDUSTRIES: &[&str] = &[
    "科技",
    "电子",
    "家居用品",
    "食品",
    "茶业",
    "服饰",
    "贸易",
    "日用品",
    "化妆品",
    "体育用品",
    "电子商务",
    "文化传媒",
];

pub const EN_ADJ: &[&str] = &[
    "Northwind",
    "Blue Harbor",
    "Golden Field",
    "Silver Birch",
    "Green Valley",
    "Red Maple",
    "Bright Star",
    "Pacific",
    "Summit",
    "Evergreen",
    "Silk Road",
    "Jade Lotus",
    "Panda",
    "Phoenix",
    "Crystal",
    "Urban",
    "Nordic",
    "Sunrise",
    "Coastal",
    "Highland",
    "Oak & Ash",
    "Harbor Light",
    "Tiger Hill",
    "Lakeside",
];

pub const EN_NOUN: &[&str] = &[
    "Trading",
    "Goods",
    "Supply",
    "Foods",
    "Electronics",
    "Home",
    "Outfitters",
    "Living",
    "Labs",
    "Audio",
    "Tea Co.",
    "Provisions",
    "Works",
    "Collective",
];

/// Brands agency merchants are authorised to sell (invented names).
pub const AGENCY_BRANDS: &[&str] = &[
    "Aurora", "Kiwa", "Momo", "Zenith", "Lumi", "Novo", "Sora", "Vela", "Hearth", "Tidal", "禾木", "青柠",
    "小熊", "山野",
];

pub const CARRIERS: &[(&str, &str)] = &[
    ("顺丰速运", "SF"),
    ("中通快递", "ZTO"),
    ("圆通速递", "YTO"),
    ("韵达快递", "YD"),
    ("京东物流", "JD"),
    ("EMS", "EMS"),
];

pub fn person(d: &mut Dice) -> String {
    if d.chance(0.06) {
        format!("{} {}", d.pick(EN_FIRST), d.pick(EN_LAST))
    } else {
        format!("{}{}", d.pick(SURNAMES), d.pick(GIVEN))
    }
}

/// A mainland mobile number: 11 digits starting 13x–19x.
pub fn phone(d: &mut Dice) -> String {
    const PREFIX: &[&str] = &[
        "138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188", "189",
        "177", "180", "181", "199", "166", "130", "131", "132",
    ];
    format!("{}{}", d.pick(PREFIX), d.digits(8))
}

/// A street address inside `city` (without the city itself).
pub fn street(d: &mut Dice, city: &City) -> String {
    format!(
        "{}{}{}号{}{}栋{}室",
        d.pick(city.districts),
        d.pick(ROADS),
        d.range(1, 999),
        d.pick(COMPLEXES),
        d.range(1, 32),
        d.range(1, 33) * 100 + d.range(1, 6)
    )
}

/// The full postal form: province, city, street.
pub fn full_address(city: &City, street: &str) -> String {
    format!("{}{}{}", city.province, city.name, street)
}

/// A unified social credit code (统一社会信用代码): 18 characters.
pub fn credit_code(d: &mut Dice) -> String {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let tail: String = (0..8)
        .map(|_| char::from(ALNUM.get(d.below(ALNUM.len())).copied().unwrap_or(b'0')))
        .collect();
    format!(
        "91{}{}{tail}",
        d.range(110_000, 659_999),
        if d.chance(0.5) { "MA" } else { "07" }
    )
}
