"""A harder, marketplace-style evaluation set, generated (no copied text) in BEIR layout.

Needs are plain problems as a factory would post them ("塑料外壳放半年就发黄变脆"), without the
specialist's vocabulary. Providers are experts, teams and service organisations with a profile and
achievements written in technical language. For each need:

- relevant (grade 2): specialists of the need's sub-topic with an achievement on that very problem;
- relevant (grade 1): specialists of the same sub-topic whose achievements cover its other problem;
- not relevant: specialists of sibling sub-topics in the same field (same field words, other
  object), generic service organisations whose text repeats the usual symptom words (开裂, 腐蚀,
  能耗高 ...), and a large background of providers in other topics that reuse those words too.

    python benchmarks/hardset.py OUT_DIR [--seed 7] [--background 2400]
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    plain: tuple[str, ...]  # how a firm describes it
    technical: str  # what a specialist's achievement on it is called
    result: str  # the outcome the achievement reports


@dataclass(frozen=True)
class SubTopic:
    key: str
    field: str
    name: str  # specialist's research direction
    terms: tuple[str, ...]  # technical vocabulary of the direction
    plain_object: str  # how a firm names the thing
    industries: tuple[str, ...]
    problems: tuple[Problem, Problem]


def _p(plain: tuple[str, ...], technical: str, result: str) -> Problem:
    return Problem(plain, technical, result)


SUBTOPICS: tuple[SubTopic, ...] = (
    SubTopic(
        "pp-aging",
        "materials",
        "聚烯烃光氧老化与稳定化",
        ("受阻胺光稳定剂", "紫外吸收剂", "抗氧体系", "氙灯老化"),
        "塑料外壳",
        ("家电", "户外用品"),
        (
            _p(
                ("塑料外壳放在阳台半年就发黄变脆，一碰就裂", "户外用的塑料件晒几个月颜色就变了，还发脆"),
                "聚丙烯制品光氧老化机理与受阻胺复配稳定体系",
                "户外使用寿命延长两倍以上",
            ),
            _p(
                ("塑料件刚出厂没问题，仓库放一年后一掰就断", "库存的塑料件时间长了变脆，客户投诉很多"),
                "聚烯烃热氧老化动力学与长效抗氧剂体系设计",
                "热氧老化后断裂伸长率保持率提高40%",
            ),
        ),
    ),
    SubTopic(
        "injection-warp",
        "materials",
        "注塑成型工艺与翘曲控制",
        ("模流分析", "保压曲线", "结晶取向", "冷却水路"),
        "注塑件",
        ("汽车内饰", "电子外壳"),
        (
            _p(
                ("注塑出来的长条件两头翘起来，装配时卡不上", "我们的塑料面板出模后会弯，平面度达不到要求"),
                "长薄壁注塑件翘曲变形预测与模具冷却优化",
                "翘曲量降低60%",
            ),
            _p(
                ("塑料件表面总有一圈圈的纹路和凹坑，外观不合格", "注塑件表面缩水凹陷，喷漆也盖不住"),
                "厚壁注塑件缩痕与流痕缺陷的工艺窗口优化",
                "外观不良率由8%降到1%",
            ),
        ),
    ),
    SubTopic(
        "ni-superalloy",
        "materials",
        "镍基高温合金与叶片制造",
        ("定向凝固", "单晶叶片", "蠕变持久", "热障涂层"),
        "燃气轮机叶片",
        ("燃气轮机", "航空发动机维修"),
        (
            _p(
                ("燃机叶片用了几千小时就出现裂纹，换件成本太高", "涡轮叶片服役寿命比进口件短很多"),
                "镍基高温合金叶片蠕变疲劳寿命预测与延寿技术",
                "叶片服役寿命提升30%",
            ),
            _p(
                ("叶片铸件里总有杂晶，报废率很高", "精密铸造的叶片废品太多，晶粒不合格"),
                "单晶叶片定向凝固杂晶与雀斑缺陷控制",
                "单晶成品率提高25个百分点",
            ),
        ),
    ),
    SubTopic(
        "steel-corrosion",
        "materials",
        "海洋环境钢结构腐蚀防护",
        ("阴极保护", "重防腐涂层", "耐候钢", "腐蚀监测"),
        "海边的钢结构",
        ("港口码头", "海上风电"),
        (
            _p(
                ("码头的钢桩几年就锈得很厉害，维修花了很多钱", "海边厂房的钢梁锈蚀严重，涂了漆也不管用"),
                "海洋浪溅区钢结构重防腐涂层与阴极保护联合防护",
                "防护年限达到25年",
            ),
            _p(
                ("不知道海上设备的钢结构还剩多少寿命，没法安排检修", "想实时知道钢结构锈到什么程度了"),
                "海洋钢结构腐蚀在线监测与剩余寿命评估",
                "实现腐蚀速率在线监测与预警",
            ),
        ),
    ),
    SubTopic(
        "li-cathode",
        "ev",
        "锂离子电池高镍正极材料",
        ("高镍三元", "表面包覆", "单晶化", "循环衰减"),
        "电池",
        ("电动自行车", "储能电站"),
        (
            _p(
                ("电动车电池用一年续航就掉了三成", "电池充放电几百次以后容量下降很快"),
                "高镍三元正极表面包覆抑制循环容量衰减",
                "1000次循环容量保持率达到90%",
            ),
            _p(
                ("电池夏天用着会鼓包，担心安全问题", "电池包放一段时间就胀气变形"),
                "高镍正极产气机理与电解液添加剂抑制技术",
                "高温存储产气量降低70%",
            ),
        ),
    ),
    SubTopic(
        "bms",
        "ev",
        "动力电池管理系统与状态估计",
        ("荷电状态估计", "均衡控制", "卡尔曼滤波", "热失控预警"),
        "电池包",
        ("电动叉车", "电动大巴"),
        (
            _p(
                (
                    "车上显示的剩余电量不准，有时显示还有20%就突然没电",
                    "电量表跳来跳去，司机没法判断还能跑多远",
                ),
                "基于自适应卡尔曼滤波的动力电池荷电状态估计",
                "SOC估计误差小于3%",
            ),
            _p(
                ("电池包里有几节电芯总是比别的先没电，整包容量用不满", "电池组一致性越来越差，可用容量下降"),
                "电池组主动均衡拓扑与均衡控制策略",
                "电池组可用容量提升8%",
            ),
        ),
    ),
    SubTopic(
        "motor-noise",
        "ev",
        "电驱动系统振动噪声控制",
        ("电磁力波", "转矩脉动", "NVH", "斜极设计"),
        "电机",
        ("新能源汽车", "电动工具"),
        (
            _p(
                ("电机转起来有很尖的啸叫声，客户说太吵", "电动车加速时能听到刺耳的高频声音"),
                "永磁同步电机电磁噪声抑制与斜极优化设计",
                "啸叫声压级降低8分贝",
            ),
            _p(
                ("电机低速时一顿一顿的不平稳", "电机转矩不稳，带负载时抖动"),
                "永磁电机齿槽转矩与转矩脉动抑制控制",
                "转矩脉动降低到2%以内",
            ),
        ),
    ),
    SubTopic(
        "wafer-defect",
        "semiconductor",
        "晶圆制造缺陷检测与良率分析",
        ("光学检测", "缺陷分类", "良率建模", "晶圆图"),
        "芯片",
        ("功率器件", "传感器芯片"),
        (
            _p(
                ("芯片良品率一直上不去，不知道问题出在哪道工序", "流片后合格率忽高忽低，找不到原因"),
                "基于晶圆图模式识别的良率损失根因分析",
                "良率提升5个百分点",
            ),
            _p(
                ("芯片表面的小缺陷靠人在显微镜下看，又慢又漏检", "人工目检晶圆效率太低，漏检严重"),
                "晶圆表面缺陷深度学习自动检测与分类",
                "漏检率低于0.5%",
            ),
        ),
    ),
    SubTopic(
        "power-module",
        "semiconductor",
        "功率模块封装与热管理",
        ("烧结银", "键合线", "热阻", "功率循环"),
        "功率模块",
        ("变频器", "光伏逆变器"),
        (
            _p(
                ("变频器里的模块用一两年就烧，拆开看是焊层脱开了", "逆变器模块经常过热失效"),
                "功率模块烧结银互连与功率循环可靠性提升",
                "功率循环寿命提高5倍",
            ),
            _p(
                ("模块发热太厉害，散热器做得很大还是压不住温度", "设备体积做不小，因为模块散热跟不上"),
                "功率模块双面散热封装结构与低热阻设计",
                "结壳热阻降低35%",
            ),
        ),
    ),
    SubTopic(
        "ai-vision-qc",
        "ai",
        "工业视觉缺陷检测",
        ("目标检测", "小样本学习", "图像分割", "光源设计"),
        "产品外观检查",
        ("五金件", "纺织面料"),
        (
            _p(
                ("产品外观全靠工人用眼睛挑，漏检多还招不到人", "质检工人看久了眼睛累，划痕经常漏掉"),
                "小样本条件下的工业表面缺陷视觉检测系统",
                "检出率99.5%，替代人工目检",
            ),
            _p(
                ("布匹上的瑕疵种类太多，现有机器分不清", "面料疵点检测设备误报太多，还得人复检"),
                "纺织面料疵点多类别分割与分级算法",
                "误报率降低到2%以下",
            ),
        ),
    ),
    SubTopic(
        "ai-forecast",
        "ai",
        "需求预测与生产排程优化",
        ("时间序列预测", "整数规划", "启发式排产", "库存优化"),
        "生产计划",
        ("食品加工", "服装生产"),
        (
            _p(
                ("订单说来就来，经常要么缺货要么积压一仓库", "备货全凭经验，库存资金压得太多"),
                "多品种需求时间序列预测与安全库存优化",
                "库存周转天数下降30%",
            ),
            _p(
                ("车间排产靠老师傅拍脑袋，换线太频繁", "生产计划一变全乱，交期经常延误"),
                "多约束柔性车间智能排产算法",
                "准时交付率提高到95%",
            ),
        ),
    ),
    SubTopic(
        "biomed-api",
        "biomed",
        "化学原料药工艺开发与杂质控制",
        ("晶型筛选", "基因毒性杂质", "工艺放大", "结晶工艺"),
        "原料药",
        ("仿制药", "医药中间体"),
        (
            _p(
                ("原料药里有个杂质总是超标，一致性评价过不了", "药检查出有一个未知杂质含量偏高"),
                "原料药基因毒性杂质来源解析与控制策略",
                "杂质含量控制在限度的十分之一以下",
            ),
            _p(
                ("药粉每批次流动性和溶出不一样，做成片剂问题很多", "原料药批次之间颗粒差别大，制剂不好做"),
                "原料药晶型与粒度控制的结晶工艺开发",
                "批间粒度差异小于10%",
            ),
        ),
    ),
    SubTopic(
        "biomed-cell",
        "biomed",
        "细胞培养与生物反应器工艺",
        ("CHO细胞", "补料分批", "灌流培养", "代谢调控"),
        "抗体生产",
        ("生物类似药", "疫苗"),
        (
            _p(
                ("细胞培养出来的抗体产量太低，成本下不来", "我们的表达量只有别人的一半"),
                "CHO细胞补料分批培养工艺优化与代谢调控",
                "抗体表达量提升至5克每升",
            ),
            _p(
                ("反应器放大到两千升后，细胞长得不如小试", "中试放大后批次差异很大"),
                "生物反应器放大的混合与传质相似准则",
                "放大后产量保持小试水平的95%",
            ),
        ),
    ),
    SubTopic(
        "device-catheter",
        "meddevice",
        "介入导管材料与成型",
        ("聚氨酯", "亲水涂层", "编织增强", "挤出成型"),
        "导管",
        ("心血管器械", "泌尿器械"),
        (
            _p(
                ("导管插进去阻力大，医生反馈不好用", "医生说我们的导管表面太涩"),
                "介入导管亲水润滑涂层及其耐磨性",
                "摩擦力降低80%",
            ),
            _p(
                ("导管推送时容易打折，到不了位置", "细导管一弯就瘪，推不过去"),
                "编织增强多层导管抗折与推送性设计",
                "抗折弯性能提高一倍",
            ),
        ),
    ),
    SubTopic(
        "robot-grasp",
        "manufacturing",
        "机器人视觉引导抓取",
        ("手眼标定", "位姿估计", "点云配准", "柔性夹爪"),
        "上下料",
        ("机加工", "物流分拣"),
        (
            _p(
                ("料框里的零件乱堆着，机器人抓不准", "零件摆放不整齐，现在只能人工上料"),
                "散乱堆叠工件的三维视觉位姿估计与抓取规划",
                "抓取成功率98%",
            ),
            _p(
                ("软的、形状不一样的东西机械手一抓就坏", "水果和包装袋夹不住还容易夹破"),
                "柔性自适应夹爪设计与力控抓取",
                "易损件抓取破损率低于0.1%",
            ),
        ),
    ),
    SubTopic(
        "cnc-chatter",
        "manufacturing",
        "数控加工颤振与精度控制",
        ("颤振稳定性", "刀具磨损监测", "热误差补偿", "切削参数优化"),
        "机床加工",
        ("模具加工", "航空结构件"),
        (
            _p(
                ("铣薄壁零件的时候机床嗡嗡响，表面全是振纹", "加工时一提高转速就振刀"),
                "薄壁件铣削颤振稳定域预测与参数优化",
                "表面粗糙度改善50%",
            ),
            _p(
                ("机床早上和下午加工出来的尺寸不一样", "机床开机一段时间后精度就漂了"),
                "数控机床主轴热误差建模与实时补偿",
                "热漂移误差降低70%",
            ),
        ),
    ),
    SubTopic(
        "gearbox-pdm",
        "manufacturing",
        "旋转机械故障诊断与预测性维护",
        ("振动分析", "包络解调", "剩余寿命预测", "状态监测"),
        "设备",
        ("风电", "钢铁轧线"),
        (
            _p(
                ("齿轮箱突然坏了停产一周，事先一点征兆都没发现", "设备总是坏了才修，停机损失很大"),
                "齿轮箱振动信号故障早期诊断与预警",
                "故障提前两周预警",
            ),
            _p(
                ("轴承到底还能用多久心里没数，只能定期全换", "备件换得太勤浪费，换晚了又怕出事"),
                "滚动轴承剩余使用寿命预测方法",
                "寿命预测误差小于15%",
            ),
        ),
    ),
    SubTopic(
        "greenhouse",
        "agri",
        "设施农业环境调控与水肥一体化",
        ("水肥一体化", "环境控制", "基质栽培", "物联网传感"),
        "大棚",
        ("蔬菜种植", "花卉"),
        (
            _p(
                ("大棚浇水施肥全靠人，费工不说菜长得也不均匀", "温室里灌溉施肥太粗放，肥料浪费很多"),
                "温室作物水肥一体化精准灌溉决策系统",
                "节水40%、节肥30%",
            ),
            _p(
                ("冬天大棚里湿度太大，黄瓜老得病", "棚里温度忽高忽低，作物长不好"),
                "日光温室温湿度协同调控与病害预防",
                "病害发生率降低一半",
            ),
        ),
    ),
    SubTopic(
        "food-shelf",
        "agri",
        "食品保鲜与货架期延长",
        ("气调包装", "栅栏技术", "微生物控制", "低温杀菌"),
        "食品",
        ("熟食", "鲜切果蔬"),
        (
            _p(
                ("卤味熟食放三天就坏了，只能在本地卖", "我们的熟肉制品保质期太短，发不了外地"),
                "低温肉制品栅栏技术与货架期延长",
                "冷藏货架期从5天延长到30天",
            ),
            _p(
                ("切好的水果装盒后很快就变褐色", "鲜切蔬菜第二天就发软出水"),
                "鲜切果蔬褐变抑制与气调包装",
                "货架期延长至7天",
            ),
        ),
    ),
    SubTopic(
        "dye-wastewater",
        "environment",
        "印染废水深度处理与回用",
        ("高级氧化", "膜分离", "脱色", "中水回用"),
        "废水",
        ("印染", "纺织"),
        (
            _p(
                ("印染厂排出的水颜色很深，环保检查通不过", "染厂废水色度一直超标"),
                "印染废水臭氧催化氧化深度脱色技术",
                "色度去除率98%",
            ),
            _p(
                ("用水量太大，想把处理后的废水再用回车间", "废水处理后想回用到生产，但水质达不到"),
                "印染废水双膜法中水回用工艺",
                "回用率达到60%",
            ),
        ),
    ),
    SubTopic(
        "vocs",
        "environment",
        "工业挥发性有机物治理",
        ("催化燃烧", "吸附浓缩", "蓄热氧化", "无组织排放"),
        "车间废气",
        ("喷涂", "包装印刷"),
        (
            _p(
                ("喷漆车间的气味很大，周边居民一直投诉", "喷涂线的废气排放总是超标"),
                "喷涂废气沸石转轮吸附浓缩加催化燃烧治理",
                "非甲烷总烃去除率95%",
            ),
            _p(
                ("废气处理设备的电费和燃气费太高了", "废气治理运行成本太高，吃掉了利润"),
                "蓄热式氧化炉余热回收与节能运行",
                "运行能耗降低40%",
            ),
        ),
    ),
    SubTopic(
        "boiler-energy",
        "energy",
        "工业锅炉与窑炉节能",
        ("燃烧优化", "余热回收", "低氮燃烧", "换热强化"),
        "锅炉",
        ("食品厂", "陶瓷厂"),
        (
            _p(
                ("厂里锅炉烧的天然气越来越多，能耗太高", "蒸汽成本太高，燃料费用占比大"),
                "工业锅炉燃烧优化与烟气余热深度回收",
                "综合节能15%",
            ),
            _p(
                ("锅炉氮氧化物排放不达标，被要求整改", "窑炉烟气里的氮氧化物超标"),
                "工业燃气锅炉低氮燃烧改造技术",
                "氮氧化物排放低于30毫克每立方米",
            ),
        ),
    ),
    SubTopic(
        "pv-cleaning",
        "energy",
        "光伏电站运维与发电量提升",
        ("组件衰减", "热斑检测", "无人机巡检", "清洗机器人"),
        "光伏板",
        ("工商业屋顶", "农光互补"),
        (
            _p(
                ("屋顶光伏这两年发电量越来越少", "光伏板发电效率下降，不知道是哪块坏了"),
                "光伏组件热斑与隐裂的无人机红外巡检诊断",
                "故障定位准确率95%",
            ),
            _p(
                ("光伏板上灰太多，人工洗一次花钱又费水", "西北电站灰尘大，清洗成本很高"),
                "光伏阵列无水清洗机器人",
                "清洗成本降低60%",
            ),
        ),
    ),
    SubTopic(
        "concrete-crack",
        "construction",
        "混凝土裂缝控制与耐久性",
        ("温度应力", "补偿收缩", "水化热", "氯离子侵蚀"),
        "混凝土",
        ("桥梁", "地下室"),
        (
            _p(
                ("地下室墙浇完没多久就出现很多裂缝，还渗水", "大体积混凝土浇筑后开裂"),
                "大体积混凝土温度裂缝控制与补偿收缩技术",
                "有害裂缝减少90%",
            ),
            _p(
                ("沿海的桥墩用了十几年钢筋就锈胀开裂了", "海边的混凝土构件表面剥落，露出钢筋"),
                "海工混凝土氯离子侵蚀防护与耐久性提升",
                "设计使用寿命100年",
            ),
        ),
    ),
    SubTopic(
        "textile-dye",
        "textile",
        "纺织品染整与色牢度",
        ("活性染料", "固色剂", "低温染色", "色差控制"),
        "布料",
        ("服装面料", "家纺"),
        (
            _p(
                ("衣服洗几次就掉色，客户退货", "面料沾水摩擦后颜色染到别的衣服上"),
                "活性染料染色织物湿摩擦色牢度提升技术",
                "湿摩擦牢度提高一级",
            ),
            _p(
                ("同一批布不同卷颜色有深浅，客户拒收", "每缸染出来颜色都不一样"),
                "染色过程在线色差检测与配方自动修正",
                "缸差合格率提高到98%",
            ),
        ),
    ),
)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌辉宇晨浩然思远海峰立新春雨博雅"
_TITLES = ("教授", "研究员", "副教授", "高级工程师", "博士", "副研究员")
_ORGS = ("大学", "理工大学", "科技大学", "工业大学", "研究院", "研究所", "工程技术中心")
_PLACES = ("华东", "华南", "华北", "西南", "西北", "东北", "中部", "沿海", "江南", "岭南")
_REGIONS = ("11", "31", "32", "33", "37", "42", "44", "51", "61", "21")

# Generic marketplace prose shared by everybody: it makes BM25 see overlap where there is no fit.
_SERVICE_ITEMS = ("技术攻关", "成果转化", "咨询论证", "检验检测", "人才培养", "标准制定", "知识产权")
_SYMPTOM_WORDS = (
    "开裂",
    "变形",
    "腐蚀",
    "寿命短",
    "能耗高",
    "噪声大",
    "效率低",
    "良品率低",
    "成本高",
    "精度不够",
    "颜色",
    "发黄",
    "掉色",
    "杂质",
    "超标",
    "异味",
    "振动",
    "发热",
    "衰减",
    "漏检",
)
_NEED_OPENERS = (
    "我们是一家{scale}{industry}企业。",
    "本公司主要做{industry}相关产品。",
    "我厂从事{industry}生产十多年。",
    "",
)
_NEED_CLOSERS = (
    "希望找专家帮忙分析原因并给出解决办法。",
    "想找有经验的团队合作攻关，预算可以商量。",
    "有没有高校老师能帮忙看看？",
    "希望能尽快解决，影响了交货和成本。",
    "",
)
_SCALES = ("小型", "中型", "规模以上", "民营", "")

# Background topics: nobody asks about them in this set, but their texts reuse symptom words.
_BACKGROUND_TOPICS = (
    ("chemical", "精细化工催化剂开发", ("催化剂失活", "选择性", "连续流反应")),
    ("chemical", "涂料树脂合成与改性", ("附着力", "耐候性", "固化剂")),
    ("ict", "5G射频前端与天线设计", ("滤波器", "阻抗匹配", "天线阵列")),
    ("ict", "光纤传感与光通信器件", ("光纤光栅", "分布式传感", "光模块")),
    ("software", "工业软件与数字孪生", ("有限元仿真", "数字孪生", "工业互联网平台")),
    ("software", "嵌入式系统与实时操作系统", ("驱动开发", "实时调度", "功能安全")),
    ("aerospace", "飞行器结构强度与复合材料", ("碳纤维复合材料", "损伤容限", "结构健康监测")),
    ("marine", "船舶推进与水动力性能", ("螺旋桨", "阻力预报", "空泡")),
    ("water", "城市供水管网漏损控制", ("漏损检测", "压力管理", "水质安全")),
    ("metallurgy", "冶金过程控制与炉衬耐火材料", ("转炉炼钢", "耐火材料", "连铸坯")),
    ("metallurgy", "矿山边坡稳定与尾矿治理", ("边坡监测", "尾矿库", "充填采矿")),
    ("tcm", "中药材种植与质量标准", ("道地药材", "指纹图谱", "农残检测")),
    ("tcm", "中药制剂工艺与质量控制", ("提取工艺", "浓缩干燥", "含量测定")),
    ("biomed", "体外诊断试剂开发", ("化学发光", "免疫层析", "分子诊断")),
    ("meddevice", "医用影像设备与算法", ("CT重建", "超声成像", "图像去噪")),
    ("construction", "装配式建筑与结构抗震", ("预制构件", "节点连接", "隔震支座")),
    ("construction", "岩土工程与基坑支护", ("深基坑", "地下水控制", "沉降监测")),
    ("agri", "畜禽养殖与疫病防控", ("饲料配方", "疫苗免疫", "环境控制")),
    ("agri", "作物育种与种子加工", ("分子育种", "抗病品种", "种子活力")),
    ("energy", "氢能制备与燃料电池", ("电解水制氢", "质子交换膜", "储氢")),
    ("energy", "储能电站系统集成", ("储能变流器", "能量管理", "消防安全")),
    ("environment", "固体废物资源化利用", ("危废处置", "再生利用", "热解")),
    ("environment", "土壤污染修复", ("重金属钝化", "淋洗修复", "风险评估")),
    ("textile", "功能性纤维与非织造材料", ("熔喷", "抗菌纤维", "静电纺丝")),
    ("ai", "自然语言处理与知识图谱", ("文本挖掘", "知识抽取", "智能问答")),
    ("ai", "智能语音与人机交互", ("语音识别", "声纹", "降噪算法")),
    ("manufacturing", "焊接工艺与焊接机器人", ("激光焊接", "焊缝跟踪", "焊接变形")),
    ("manufacturing", "液压系统与流体传动", ("液压泵", "泄漏", "伺服阀")),
    ("materials", "陶瓷材料与精密陶瓷部件", ("氧化锆", "烧结", "陶瓷轴承")),
    ("materials", "橡胶制品配方与硫化工艺", ("硫化体系", "密封件", "压缩永久变形")),
    ("semiconductor", "MEMS传感器设计与封装", ("压力传感器", "惯性器件", "晶圆级封装")),
    ("ev", "整车轻量化与车身结构", ("铝合金车身", "碰撞安全", "拓扑优化")),
)


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2))))


def _affiliation(rng: random.Random) -> str:
    return f"{rng.choice(_PLACES)}{rng.choice(_ORGS)}"


def _specialist(rng: random.Random, topic: SubTopic, index: int, strong: int) -> dict:
    """A specialist of `topic`; `strong` is the problem index their main achievement addresses."""
    name = _person(rng)
    terms = rng.sample(topic.terms, 3)
    problem = topic.problems[strong]
    achievements = [
        f"{problem.technical}：面向{rng.choice(topic.industries)}行业，{problem.result}。",
        f"{terms[0]}与{terms[1]}方法研究，发表论文多篇并获授权发明专利。",
        f"为{rng.choice(topic.industries)}企业提供{terms[2]}{rng.choice(_SERVICE_ITEMS)}服务。",
    ]
    if rng.random() < 0.5:
        other = topic.problems[1 - strong]
        achievements.append(f"参与{other.technical}项目，完成中试验证。")
    rng.shuffle(achievements)
    return {
        "_id": f"s-{topic.key}-{index}",
        "title": f"{name}{rng.choice(_TITLES)}（{_affiliation(rng)}）",
        "text": (
            f"研究方向为{topic.name}，熟悉{'、'.join(terms)}。"
            f"长期与{'、'.join(topic.industries)}企业合作，可提供{rng.choice(_SERVICE_ITEMS)}与{rng.choice(_SERVICE_ITEMS)}。"
        ),
        "achievements": achievements,
        "field": topic.field,
        "region": rng.choice(_REGIONS),
        "kind": rng.choice(("expert", "team")),
        "_strong": strong,
        "_topic": topic.key,
    }


def _service_org(rng: random.Random, index: int) -> dict:
    """A generic service organisation: many symptom words, no specialist depth."""
    symptoms = rng.sample(_SYMPTOM_WORDS, 6)
    industries = rng.sample([industry for topic in SUBTOPICS for industry in topic.industries], 3)
    items = rng.sample(_SERVICE_ITEMS, 3)
    return {
        "_id": f"g-{index}",
        "title": rng.choice(_PLACES)
        + rng.choice(("产业技术服务中心", "科技咨询公司", "检测认证中心", "技术转移中心")),
        "text": (
            f"面向{'、'.join(industries)}等行业企业，提供{'、'.join(items)}服务，"
            f"帮助企业解决产品{'、'.join(symptoms[:3])}等常见问题，降本增效。"
        ),
        "achievements": [
            f"为百余家企业开展产品{symptoms[3]}、{symptoms[4]}原因排查与质量提升。",
            f"承担地方{rng.choice(items)}公共服务平台建设，服务企业超过五百家。",
        ],
        "field": rng.choice(SUBTOPICS).field,
        "region": rng.choice(_REGIONS),
        "kind": "institution",
    }


def _background(rng: random.Random, index: int) -> dict:
    field, name, terms = rng.choice(_BACKGROUND_TOPICS)
    symptoms = rng.sample(_SYMPTOM_WORDS, 3)
    borrowed = rng.choice(SUBTOPICS)
    return {
        "_id": f"b-{index}",
        "title": f"{_person(rng)}{rng.choice(_TITLES)}（{_affiliation(rng)}）",
        "text": (
            f"从事{name}研究，主要方向包括{'、'.join(terms)}。关注工程中的{symptoms[0]}与{symptoms[1]}问题。"
        ),
        "achievements": [
            f"{terms[0]}关键技术研究，解决了{symptoms[2]}难题。",
            f"{terms[1]}在{rng.choice(borrowed.industries)}中的应用示范。",
            f"{rng.choice(_SERVICE_ITEMS)}：为企业开展{terms[2]}培训与咨询。",
        ],
        "field": field,
        "region": rng.choice(_REGIONS),
        "kind": rng.choice(("expert", "team", "society")),
    }


def _need(rng: random.Random, topic: SubTopic, problem_index: int, phrasing: int, index: int) -> dict:
    opener = rng.choice(_NEED_OPENERS).format(
        scale=rng.choice(_SCALES), industry=rng.choice(topic.industries)
    )
    plain = topic.problems[problem_index].plain[phrasing]
    return {
        "_id": f"q-{topic.key}-{problem_index}-{phrasing}-{index}",
        "title": "",
        "text": f"{opener}{plain}。{rng.choice(_NEED_CLOSERS)}",
        "field": topic.field,
        "_topic": topic.key,
        "_problem": problem_index,
    }


def generate(
    seed: int = 7, specialists: int = 8, background: int = 2400, services: int = 300
) -> dict[str, list]:
    rng = random.Random(seed)
    corpus: list[dict] = []
    for topic in SUBTOPICS:
        corpus.extend(_specialist(rng, topic, i, strong=i % 2) for i in range(specialists))
    corpus.extend(_service_org(rng, i) for i in range(services))
    corpus.extend(_background(rng, i) for i in range(background))
    rng.shuffle(corpus)
    queries = [
        _need(rng, topic, problem, phrasing, repeat)
        for topic in SUBTOPICS
        for problem in (0, 1)
        for phrasing in range(len(topic.problems[problem].plain))
        for repeat in range(2)
    ]
    qrels = [
        (query["_id"], doc["_id"], 2 if doc["_strong"] == query["_problem"] else 1)
        for query in queries
        for doc in corpus
        if doc.get("_topic") == query["_topic"]
    ]
    return {"corpus": corpus, "queries": queries, "qrels": qrels}


def write_beir(out: Path, data: dict[str, list]) -> Path:
    """Write corpus.jsonl, queries.jsonl and qrels.tsv; private keys (starting with "_" beyond
    "_id") are generator bookkeeping and are left out."""
    out.mkdir(parents=True, exist_ok=True)

    def public(row: dict) -> dict:
        return {key: value for key, value in row.items() if key == "_id" or not key.startswith("_")}

    for name in ("corpus", "queries"):
        lines = (json.dumps(public(row), ensure_ascii=False) for row in data[name])
        (out / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = "".join(f"{query_id}\t{doc_id}\t{grade}\n" for query_id, doc_id, grade in data["qrels"])
    (out / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n" + rows, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--background", type=int, default=2400)
    parser.add_argument("--services", type=int, default=300)
    args = parser.parse_args()
    data = generate(args.seed, background=args.background, services=args.services)
    write_beir(args.out, data)
    counts = {name: len(rows) for name, rows in data.items()}
    print(
        f"wrote {counts['corpus']} providers, {counts['queries']} needs, {counts['qrels']} qrels: {args.out}"
    )


if __name__ == "__main__":
    main()
