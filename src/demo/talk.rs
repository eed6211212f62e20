//! What buyers, staff and merchants write in after-sales tickets.

use crate::domain::ticket::TicketKind;

/// (subject, the buyer's first message, its reason code in the default
/// taxonomy: `ticket_reasons`) per ticket kind, so the Dashboard's tickets
/// by reason and `ticket report` have something to show.
pub fn openers(kind: TicketKind) -> &'static [(&'static str, &'static str, &'static str)] {
    match kind {
        TicketKind::Return => &[
            (
                "七天无理由退货",
                "收到后发现不太适合，商品未拆封，申请七天无理由退货。",
                "other.no_reason",
            ),
            (
                "尺码不合适申请退货",
                "衣服偏小一码，吊牌还在，想退货。",
                "description.size",
            ),
            (
                "Changed my mind, want to return",
                "The item is unopened. Please send me the return address.",
                "other.changed_mind",
            ),
            (
                "商品与描述不符 申请退货",
                "颜色和详情页差别很大，申请退货退款。",
                "description.not_as_described",
            ),
        ],
        TicketKind::Exchange => &[
            (
                "Wrong size delivered",
                "I ordered M but received XL. Please exchange.",
                "quality.wrong_item",
            ),
            (
                "颜色发错了 要求换货",
                "下单的是白色，收到的是黑色，请尽快换货。",
                "quality.wrong_item",
            ),
            (
                "尺码偏小 换大一号",
                "穿着有点紧，想换大一码，吊牌未拆。",
                "description.size",
            ),
            (
                "Received wrong color",
                "Ordered Sage, got Navy. Can you swap it?",
                "quality.wrong_item",
            ),
        ],
        TicketKind::Repair => &[
            (
                "耳机左耳无声音",
                "用了两周左耳突然没有声音了，重新配对也不行。",
                "quality.defective",
            ),
            (
                "充电器无法充电",
                "插上以后指示灯不亮，换了几根线都不行。",
                "quality.defective",
            ),
            (
                "Watch screen flickering",
                "The screen flickers after charging. Is it covered by warranty?",
                "quality.defective",
            ),
            (
                "保温杯漏水",
                "杯盖密封圈好像有问题，倒过来会漏水。",
                "quality.defective",
            ),
        ],
        TicketKind::RefundOnly => &[
            (
                "未收到货 仅退款",
                "物流显示已签收但我没有收到，申请仅退款。",
                "logistics.lost",
            ),
            (
                "少发一件 申请退款",
                "买了两件只收到一件，请退还少发部分的款项。",
                "quality.wrong_item",
            ),
            (
                "Item missing from package",
                "One of the items was not in the box.",
                "quality.wrong_item",
            ),
            (
                "破损 仅退款",
                "收到时外包装破损，商品摔坏了，不想换货了。",
                "quality.damaged",
            ),
        ],
        TicketKind::Complaint => &[
            (
                "客服态度差",
                "咨询了三次商家客服都不回复，回复了也很敷衍。",
                "service.attitude",
            ),
            (
                "Delivery was very late",
                "It took over a week to arrive although it said 3 days.",
                "logistics.late",
            ),
            (
                "发票一直没开",
                "下单时申请了发票，两周了还没收到。",
                "service.slow",
            ),
            (
                "包装破损严重",
                "外箱被压扁了，希望商家改进包装。",
                "quality.damaged",
            ),
        ],
        TicketKind::Dispute => &[
            (
                "商家拒绝退货 申请平台介入",
                "商品有质量问题，商家说是人为损坏拒绝退货，请平台判定。",
                "quality.defective",
            ),
            (
                "Seller refuses refund",
                "The seller keeps rejecting my refund request without reason.",
                "service.attitude",
            ),
            (
                "商品疑似假货",
                "防伪码查询不到，怀疑是假货，商家不承认。",
                "description.not_as_described",
            ),
            (
                "退款金额有争议",
                "商家只同意退一半，我认为应该全额退款。",
                "price",
            ),
        ],
        TicketKind::Logistics => &[
            (
                "物流一直不更新",
                "三天了物流信息都没有更新，麻烦帮忙催一下。",
                "logistics.late",
            ),
            (
                "Package stuck in transit",
                "Tracking has shown 'in transit' for four days.",
                "logistics.late",
            ),
            (
                "显示已签收但没收到",
                "家里没人签收，快递柜也没有。",
                "logistics.lost",
            ),
            ("快递送错地址", "快递员送到了隔壁小区。", "logistics.lost"),
        ],
        TicketKind::Inquiry => &[
            ("如何开具发票", "请问怎么申请增值税普通发票？", "other"),
            (
                "Is this compatible with iPhone?",
                "Does the charger support iPhone 15 fast charging?",
                "other",
            ),
            ("保修期多久", "请问这个产品保修多长时间，是全国联保吗？", "other"),
            ("能否修改收货地址", "想把收货地址改到公司，可以吗？", "other"),
        ],
    }
}

pub const ACK: &[&str] = &[
    "您好，已收到您的反馈，我们会尽快为您处理。",
    "Hi, thanks for reaching out — we're looking into this now.",
    "亲，您的申请已受理，请耐心等待处理结果。",
];

pub const NOTES: &[&str] = &[
    "已联系商家核实，等待回复。",
    "Merchant confirmed the stock issue; waiting for their proposal.",
    "买家历史订单正常，无异常退款记录。",
    "Checked the courier scan history, the parcel was mis-sorted in the hub.",
    "需要买家补充照片凭证。",
];

pub const ASK_CUSTOMER: &[&str] = &[
    "麻烦您提供一下商品问题的照片或视频，方便我们核实。",
    "Could you send a photo of the label and the damage?",
    "请问方便提供一下签收底单吗？",
];

pub const MERCHANT_SAYS: &[&str] = &[
    "商家已同意退货，请按售后地址寄回。",
    "我们已安排补发，单号稍后提供。",
    "经检查为人为损坏，不支持退货。",
    "We will ship a replacement today.",
];

pub const CUSTOMER_FOLLOW: &[&str] = &[
    "好的，谢谢。",
    "已经寄回了，请查收。",
    "Any update on this?",
    "照片已上传，请查看。",
];

pub const REOPEN: &[&str] = &[
    "问题还是没有解决，重新申请处理。",
    "The replacement has the same problem.",
];

pub const REJECTS: &[&str] = &[
    "超过7天无理由退货期限 / outside the 7-day return window",
    "商品已使用，影响二次销售 / item used, cannot be resold",
    "Duplicate of an earlier request",
    "未提供凭证 / no evidence provided",
];

pub fn resolved_text(resolution: &str) -> &'static str {
    match resolution {
        "refund" => "已为您办理退款，款项将原路退回。/ Refund issued to the original payment method.",
        "replace" => "已为您安排换新，新品已发出。/ A replacement is on its way.",
        "repair" => "维修已完成并寄回。/ The repair is done and shipped back.",
        "compensation" => "已为您发放补偿。/ We have sent you a compensation.",
        _ => "问题已说明，无需进一步处理。/ Answered, no further action needed.",
    }
}
