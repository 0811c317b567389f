def main():
    print("working")


if __name__ == "__main__":
    main()
