"""The main job: build the data set, then train, evaluate and compare the models.

    python train.py            # everything, with defaults that suit a 2-core CPU
    python train.py --help     # the options
"""

from stance.cli import train_main

if __name__ == "__main__":
    train_main()
