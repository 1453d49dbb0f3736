import RapportCLI

await RapportCommand.start()
