"""Readable run names like 'crouching-kittiwake', as Prefect gives them."""

from __future__ import annotations

import inspect
import os
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.tasks import Task

_ADJECTIVES = """
    able agile amber ancient arctic ardent auburn azure bold brave bright brisk
    bronze calm candid careful cerulean cheerful clever cobalt coral cosmic
    courageous crafty crimson crouching curious daring dashing dazzling deft
    diligent discreet dreamy dynamic eager earnest electric elegant emerald
    energetic fearless festive fiery flawless fluffy flying friendly funky gallant
    gentle giant glorious golden graceful grinning happy hardy hasty heavenly
    helpful hilarious honest humble hungry icy imaginative impartial industrious
    invaluable ivory jade jolly joyful keen kind laughing lavender lively lucky
    luminous magenta majestic marvellous mauve mellow merry mighty modest mustard
    nebulous nifty nimble noble olive opal optimal orange outrageous patient peach
    pearl placid polite poised precious proficient prompt proud quick quiet quirky
    radiant rapid rational resilient robust rousing ruby russet rustling sage sandy
    sapphire scarlet serene shiny silver sincere skilled sleek smart snobbish solid
    sparkling speedy spirited spiffy splendid steady stoic strong sturdy successful
    sunny super swift tan tangerine teal tested thankful thoughtful tidy tireless
    tough tranquil turquoise ultra uncovered unique upbeat valiant vegan velvet
    venomous vermilion versatile vigilant violet vivacious warm watchful whimsical
    wise witty wonderful xanthic zealous zippy
""".split()  # noqa: SIM905 - a word list reads better as text

_ANIMALS = """
    aardvark albatross alligator alpaca angelfish ant anteater antelope armadillo
    auk axolotl baboon badger barracuda bat bear beaver bee beetle bird bison boa
    bobcat buffalo bullfrog butterfly buzzard camel capybara caracal cardinal
    caribou cat caterpillar catfish centipede chameleon cheetah chicken chimpanzee
    chinchilla chipmunk cicada civet clam cobra cockatoo cod condor coot corgi
    cougar cow coyote crab crane cricket crocodile crow cuckoo curassow dachshund
    dalmatian deer dingo dodo dogfish dolphin donkey dormouse dove dragon dragonfly
    duck dugong eagle earthworm echidna eel egret elephant elk emu ermine falcon
    ferret finch firefly fish flamingo fox frog gazelle gecko gerbil gibbon giraffe
    gnu goat goldfish goose gopher gorilla grasshopper grebe grouse guanaco gull
    hamster hare harrier hawk hedgehog heron hippo hog hornet horse hound
    hummingbird hyena ibex ibis iguana impala jackal jaguar jellyfish kakapo
    kangaroo kingfisher kittiwake kiwi koala kudu ladybug lemming lemur leopard
    limpet lion lizard llama lobster lori lynx macaque macaw magpie mamba manatee
    mandrill mantis marmot marten meerkat mink mole mongoose monkey moose mosquito
    moth mouse mule narwhal newt nightingale numbat ocelot octopus okapi opossum
    orca oriole oryx ostrich otter owl ox oyster panda panther parakeet parrot
    partridge peacock pelican penguin petrel pheasant pig pigeon pika platypus
    polecat pony porcupine porpoise puffin puma python quail quetzal quokka rabbit
    raccoon ram rat raven reindeer rhino robin rook rooster salamander salmon
    sawfish scorpion seahorse seal serval shark sheep shrew shrimp skink skunk sloth
    slug snail snake sparrow spider squid squirrel starfish stingray stoat stork
    swallow swan swift tapir tarantula tarsier termite tern tiger toad tortoise
    toucan trout tuatara turkey turtle uakari urchin vicuna viper vole vulture
    wallaby walrus warthog wasp weasel whale wildcat wolf wolverine wombat woodlouse
    woodpecker worm wren yak zebra
""".split()  # noqa: SIM905

_rng = random.Random()


def generate_run_name() -> str:
    return f"{_rng.choice(_ADJECTIVES)}-{_rng.choice(_ANIMALS)}"


def generate_task_run_suffix() -> str:
    return f"{_rng.getrandbits(12):03x}"


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_rng.seed)


def task_run_name_for(task: Task[Any, Any], params: dict[str, Any]) -> str:
    """The run name from the task's `task_run_name` (template or callable), or `name-3a9`."""
    template = task.task_run_name
    if template is None:
        return f"{task.name}-{generate_task_run_suffix()}"
    if callable(template):
        try:
            wants = "parameters" in inspect.signature(template).parameters
        except (TypeError, ValueError):
            wants = False
        name = template(parameters=params) if wants else template()
        if not isinstance(name, str):
            raise TypeError(
                f"task_run_name callable for task {task.name!r} must return a string, got {type(name).__name__}"
            )
        return name
    try:
        return template.format(**params)
    except KeyError as exc:
        raise ValueError(
            f"task_run_name {template!r} of task {task.name!r} refers to {exc}, which is not one of its parameters: {list(params)}"
        ) from None
