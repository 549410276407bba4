"""Red-flag rules: each rule fires on positive phrasings (English and Chinese, several wordings of the same
clinical signs) and stays silent on negated or harmless ones; harmless questions raise no alarm."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from medkg.errors import DataFileError
from reasoning.consult import RED_FLAGS_FILE, RedFlagRules, load_red_flags

# rule id -> (positive phrasings, negative phrasings)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "stroke_fast": (
        ["My dad's face is drooping on one side and his speech is slurred",
         "Suddenly she can't lift her right arm",
         "my mother's mouth is crooked and she is talking strangely",
         "我爸爸突然口角歪斜，说话不清", "奶奶左边手脚突然无力",
         "I think my wife is having a stroke", "爷爷好像中风了"],
        ["No facial droop, no weakness, speech normal", "我没有口角歪斜，说话也清楚",
         "How can I lower my risk of stroke?"]),
    "cardiac_chest_pain": (
        ["I have crushing chest pain", "chest pain and shortness of breath for an hour",
         "My chest feels tight and I'm sweating a lot", "pain in my chest spreading to my left arm",
         "胸口痛，出了很多冷汗", "突然剧烈胸痛", "胸闷，喘不上气",
         "I think I'm having a heart attack", "我爸可能心梗了"],
        ["Denies chest pain. No shortness of breath.", "I had a sweaty workout and my legs ache",
         "What are the warning signs of a heart attack?", "心梗患者出院后饮食注意什么",
         "没有胸痛，也没有呼吸困难，只是有点咳嗽"]),
    "severe_breathing": (
        ["He can't breathe and his lips are turning blue", "I'm struggling to breathe",
         "孩子嘴唇发紫，无法呼吸"],
        ["I can breathe fine but have a runny nose", "呼吸正常，没有嘴唇发紫"]),
    "anaphylaxis": (
        ["My throat is swelling after eating peanuts", "lips swollen and wheezing after a bee sting",
         "I think I'm having anaphylaxis", "吃了海鲜后喉咙肿，呼吸困难", "过敏性休克"],
        ["I have mild hay fever allergy with sneezing", "我有点过敏，打喷嚏，流鼻涕"]),
    "thunderclap_headache": (
        ["Sudden worst headache of my life", "a thunderclap headache came on in seconds",
         "突然剧烈头痛，像要炸开一样", "这是我这辈子最严重的头痛"],
        ["I have a mild headache for two days", "我有点头痛，两天了"]),
    "meningitis_signs": (
        ["Fever and a stiff neck", "My son has a rash that doesn't fade when I press a glass on it",
         "stiff neck and light hurts my eyes", "发烧，脖子僵硬", "皮疹按压不褪色"],
        ["fever but no stiff neck and no rash", "发烧，但脖子不僵硬"]),
    "sepsis": (
        ["fever and she is confused", "high temperature, mottled skin and breathing very fast",
         "发烧，意识模糊"],
        ["a low-grade fever yesterday, feeling better", "发烧一天，精神还好"]),
    "suicidal_ideation": (
        ["I want to kill myself", "I've been thinking about ending my life", "I took too many pills",
         "我不想活了", "想自杀", "吃了一整瓶安眠药"],
        ["I'm not suicidal, just stressed at work", "我没有自杀的想法，就是压力大"]),
    "heavy_bleeding": (
        ["I vomited blood this morning", "black tarry stools since yesterday", "the bleeding won't stop",
         "今天吐血了", "大便是黑色的柏油样", "伤口血流不止"],
        ["No blood in vomit or stool", "没有便血，也没有呕血"]),
    "infant_fever": (
        ["My 6-week-old baby has a fever of 38.5", "2 month old with a high temperature",
         "宝宝2个月大，发烧38.6度"],
        ["My 3 year old has a fever of 38.5", "孩子5岁，发烧38度"]),
    "pregnancy_warning": (
        ["I am 8 weeks pregnant and have vaginal bleeding", "pregnant with severe abdominal pain",
         "I'm 30 weeks pregnant with a severe headache and blurred vision", "怀孕8周，阴道出血",
         "孕期头痛的要炸", "孕30周，头痛得厉害，看东西模糊"],
        ["I'm pregnant, what vitamins should I take?", "怀孕了，可以吃什么水果"]),
    "seizure": (
        ["My son is having a seizure right now", "she had her first seizure", "convulsing for 5 minutes",
         "孩子突然抽搐，口吐白沫"],
        ["Which seizure medication has fewer side effects?", "没有抽搐"]),
    "loss_of_consciousness": (
        ["My grandfather collapsed and is unresponsive", "I fainted twice today", "他晕倒了，叫不醒"],
        ["I did not faint, just felt a bit dizzy", "没有晕倒，只是有点头晕"]),
    "severe_abdominal_pain": (
        ["sudden severe abdominal pain", "My stomach is rigid and the pain is unbearable", "突然剧烈腹痛"],
        ["mild stomach ache after a big meal", "吃多了有点胃胀"]),
    "head_injury": (
        ["He hit his head and has vomited twice", "fell and banged her head, now very drowsy",
         "孩子摔到头后呕吐"],
        ["I bumped my head yesterday, no vomiting, feeling fine", "撞到头了，没有呕吐"]),
    "testicular_torsion": (
        ["sudden severe testicle pain", "睾丸突然剧痛"],
        ["a small painless lump on my testicle", "睾丸没有疼痛"]),
    "cauda_equina": (
        ["back pain and numbness between my legs", "lower back pain and I can't control my bladder",
         "腰痛，大小便失禁"],
        ["lower back pain after lifting, no numbness", "腰痛，大小便正常"]),
    "child_danger_signs": (
        ["my baby is refusing to feed and very floppy", "my child vomits everything",
         "孩子不能喝奶，精神萎靡"],
        ["my child eats well and plays normally", "宝宝吃奶很好"]),
}

HARMLESS = [
    "What foods help lower cholesterol?",
    "How much water should I drink per day?",
    "Is it normal to sneeze a lot in spring?",
    "What is the best treatment for acne?",
    "My knee hurts when I run",
    "Can I take ibuprofen for a tension headache?",
    "最近有点失眠，怎么办",
    "脂肪肝需要吃什么药",
]


@pytest.fixture(scope="module")
def rules() -> RedFlagRules:
    return load_red_flags()


def test_every_rule_has_cases_and_a_source(rules: RedFlagRules) -> None:
    """Each rule in the YAML is tested here and names its clinical source and advice in both languages."""
    assert {r.id for r in rules.rules} == set(CASES)
    for r in rules.rules:
        assert len(r.source) > 10 and r.advice.en and r.advice.zh


@pytest.mark.parametrize(("rule", "text"), [(r, t) for r, (pos, _) in CASES.items() for t in pos])
def test_rule_fires_on_positive_phrasing(rules: RedFlagRules, rule: str, text: str) -> None:
    hits = rules.check(text)
    assert rule in [h.rule for h in hits], f"{rule} did not fire on {text!r}"
    hit = next(h for h in hits if h.rule == rule)
    assert hit.matched and hit.source and hit.advice


@pytest.mark.parametrize(("rule", "text"), [(r, t) for r, (_, neg) in CASES.items() for t in neg])
def test_rule_silent_on_negative_phrasing(rules: RedFlagRules, rule: str, text: str) -> None:
    assert rule not in [h.rule for h in rules.check(text)], f"{rule} fired on {text!r}"


def test_harmless_questions_raise_no_alarm(rules: RedFlagRules) -> None:
    """The issue allows at most one false alarm in eight harmless questions; these raise none."""
    fired = {q: [h.rule for h in rules.check(q)] for q in HARMLESS}
    assert sum(1 for v in fired.values() if v) <= 1, fired
    assert not any(fired.values()), fired


def test_advice_follows_the_language(rules: RedFlagRules) -> None:
    assert "120" in rules.check("我不想活了")[0].advice
    assert "999" in rules.check("I want to kill myself")[0].advice


def test_family_history_does_not_fire(rules: RedFlagRules) -> None:
    assert rules.check("Family history of stroke with slurred speech in my grandfather years ago") == []
    assert rules.check("有中风家族史，口角歪斜的是我爷爷以前") == []


def test_rules_file_errors_name_the_problem(tmp_path: Path) -> None:
    raw = yaml.safe_load(RED_FLAGS_FILE.read_text(encoding="utf-8"))
    raw["rules"][0]["when"] = [["no_such_sign"]]
    bad = tmp_path / "rules.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataFileError, match="unknown signs"):
        RedFlagRules.from_file(bad)

# Paraphrases written after the rules (two batches, 55 emergencies and 28 harmless questions): each emergency
# must fire some rule, no harmless question may. They pin what the rules learnt from their first misses.
PARAPHRASED_EMERGENCIES = [
    "My husband suddenly can't speak properly and his arm is numb",
    "Her face looks lopsided and she can't raise both arms",
    'Severe pressure in my chest, feels like an elephant sitting on it',
    "I'm 60 and have chest tightness and feel sick and clammy",
    'My toddler swallowed some bleach',
    "I've taken 30 paracetamol tablets",
    "My wife collapsed and isn't breathing",
    'I was stung by a wasp and now my tongue is swelling',
    'my baby is 5 weeks old and has a temperature of 38.2',
    "I'm 12 weeks pregnant and bleeding heavily with cramps",
    'Worst headache ever, came on suddenly while lifting weights',
    "My son has a fever, neck stiffness and purple spots that don't fade",
    'I feel like ending it all, I have a plan',
    'My dad is coughing up lots of blood',
    "I've been passing black tarry stools and feel faint",
    'he banged his head and keeps vomiting and is drowsy',
    "Severe back pain and I can't feel my bottom, wet myself",
    'sudden excruciating pain in my left testicle',
    "My 4 year old is having a fit and won't stop shaking",
    "She's confused with a high fever and her skin is mottled",
    "I can't breathe properly, my lips are blue",
    '孩子误服了老鼠药',
    '我老婆怀孕5个月，突然下面大量出血',
    '我爸突然说不出话，右边身体不能动',
    '被蜜蜂蛰了以后嘴唇肿起来，喘不上气',
    '我想结束自己的生命',
    '突然一阵剧烈头痛，从来没有这么痛过',
    '孩子高烧，脖子硬，身上有出血点',
    '吐了很多血，头晕',
    '一个月大的宝宝发烧38.5度',
    "Mum's speech went garbled all of a sudden and her left hand is weak",
    "Tight band across my chest and I'm really breathless climbing stairs today",
    "I can hardly breathe and can't finish a sentence",
    "After eating shrimp my face swelled up and I'm wheezing",
    'My 10 week old feels hot, 38.4 degrees',
    'Sudden thunderclap pain in the back of my head',
    "I don't want to live anymore",
    "Bleeding heavily from a cut on my leg and it won't stop",
    "I'm 20 weeks pregnant and my waters broke",
    "My grandma fainted and won't wake up",
    "My baby won't feed and is very floppy",
    'He took an overdose of his sleeping pills',
    'My stomach pain is unbearable and came on suddenly',
    "fever with a rash that doesn't disappear when pressed",
    'My daughter hit her head on the pavement and has been sick three times',
    '我妈突然嘴歪了，一侧胳膊没力气',
    '胸口压榨样疼痛，大汗淋漓',
    '孩子喘不过气，嘴唇发青',
    '吃了花生后喉咙发紧，呼吸困难',
    '我活着没意思，想去死',
    '怀孕两个月，肚子剧烈疼痛，还见红了',
    '宝宝出生20天，发热38度',
    '老人突然昏倒，叫不醒',
    '大便全是黑色的，还头晕乏力',
    '孩子抽搐了五分钟还没停',
]
PARAPHRASED_HARMLESS = [
    'What is a normal blood pressure?',
    'Can I drink coffee while breastfeeding?',
    'How long does a cold last?',
    'I have dandruff, what shampoo should I use?',
    'Is it safe to exercise with a sprained ankle?',
    'What are the side effects of metformin?',
    'How do I stop snoring?',
    'What vitamins are good for hair?',
    'My child has a mild cough but is eating and playing normally',
    'I feel a bit anxious before exams',
    'How can I prevent a heart attack?',
    'What are the symptoms of stroke?',
    '高血压平时要注意什么',
    '感冒了流鼻涕吃什么药',
    '胃胀气怎么办',
    '乙肝小三阳能治好吗',
    '糖尿病人能吃水果吗',
    '最近掉头发很厉害',
    '脸上长痘痘怎么办',
    '怀孕了能喝咖啡吗',
    'How often should I get my eyes tested?',
    'Is yoghurt good for digestion?',
    'What causes hiccups?',
    'Can I take paracetamol with a cold?',
    "How do I treat athlete's foot?",
    '孩子挑食怎么办',
    '熬夜后眼睛干涩',
    '如何降低胆固醇',
]


@pytest.mark.parametrize("text", PARAPHRASED_EMERGENCIES)
def test_paraphrased_emergency_fires(rules: RedFlagRules, text: str) -> None:
    assert rules.check(text), f"no red flag for {text!r}"


def test_paraphrased_harmless_questions_stay_quiet(rules: RedFlagRules) -> None:
    fired = {q: [h.rule for h in rules.check(q)] for q in PARAPHRASED_HARMLESS}
    assert not any(fired.values()), {q: v for q, v in fired.items() if v}
