print("edge agent")
